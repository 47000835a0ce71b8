"""The live interview as an interviewer sees it, in Debian's Chromium against the real
ASGI app under Daphne on PostgreSQL: sign in, schedule, go live, watch a recorded
Spanish interview arrive through the ingest API, act on it, complete it and take
the report away; survive a server restart and a network drop; and read it all in
Spanish. Screenshots of the key steps go to artifacts/e2e/<test>/.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import httpx
import pytest
from pypdf import PdfReader

from accounts.services import api_token_create
from interviews.models import AIInsight, Interview, Scorecard, Transcript
from tests.e2e.conftest import sign_in
from tests.factories import InterviewFactory
from tests.servers import TcpProxy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pw-Secret-123"  # tests/factories.UserFactory's
CANDIDATE = "Javier Morales Gil"  # the candidate of the Spanish recording
# Message indexes in entrevista_backend_es.jsonl (see interviews/recordings/README.md).
FIRST_FINAL = 3  # "Hola, buenas tardes. ¿Se me oye bien?", after two interim results
OPENING_END = 82  # through the interviewer's first question on the candidate's past job
AFTER_PROTECTED = 284  # up to the candidate's answer to "¿tienes hijos?"


# --- Helpers ---------------------------------------------------------------------


def wait_for(condition: Callable[[], object], timeout: float = 20, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.1)
    return value


class Ingest:
    """The STT side: posts Deepgram Results messages to the ingest API, as the relay
    or replay_interview would, one request per message."""

    def __init__(self, server_url: str, interview_id: int, token: str) -> None:
        self.url = f"{server_url}/api/interviews/{interview_id}/transcripts/"
        self.client = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=15)

    def post(self, message: dict | list[dict]) -> httpx.Response:
        response = self.client.post(self.url, json=message)
        assert response.status_code in (200, 201), response.text
        return response

    def batch(self, messages: list[dict]) -> None:
        self.post([m for m in messages if m.get("type") == "Results"])

    def feed(self, messages: list[dict], pause: float = 0.0) -> None:
        for message in messages:
            if message.get("type") == "Results":
                self.post(message)
                if pause:
                    time.sleep(pause)


def final_texts(messages: list[dict]) -> list[str]:
    return [
        m["channel"]["alternatives"][0]["transcript"]
        for m in messages
        if m.get("type") == "Results" and m["is_final"]
    ]


def page_ids(page, selector: str) -> list[int]:
    return [
        int(i) for i in page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.id)")
    ]


def analysis_done(interview: Interview) -> bool:
    return not Transcript.objects.pending_analysis().filter(interview=interview).exists()


def transcript_follows(page) -> bool:
    """The transcript list is scrolled to its newest row."""
    return page.evaluate(
        """() => {
            const list = document.getElementById("transcript");
            return list.scrollHeight - list.scrollTop - list.clientHeight < 2;
        }"""
    )


def shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"))


# --- Scenario 1 --------------------------------------------------------------------


def test_an_interviewer_runs_a_whole_interview_from_the_live_page(
    alice, javier, backend_position, spanish_recording, server, page, artifacts
):
    # Sign in with a password and land on the home page.
    sign_in(page, server.url, alice.email, PASSWORD)
    assert page.url == f"{server.url}/"
    assert page.locator("h1").inner_text() == "Today at a glance"
    shot(page, artifacts, "01-home")

    # Schedule an interview from the form.
    page.click("a.button[href='/interviews/new/']")
    page.select_option("select[name=candidate]", label=f"{CANDIDATE}")
    page.select_option("select[name=job_position]", label=backend_position.title)
    page.fill("input[name=scheduled_at]", "2026-12-01T10:30")
    page.select_option("select[name=language]", "es")
    shot(page, artifacts, "02-schedule")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/interviews/*/")
    interview = Interview.objects.get(candidate=javier)
    assert page.url == f"{server.url}/interviews/{interview.pk}/"
    assert interview.status == "scheduled" and interview.interviewer == alice

    # Open the live page and start the interview with its button.
    page.click(f"a[href='/interviews/{interview.pk}/live/']")
    page.locator('#live[data-connection="live"]').wait_for()
    assert page.locator("#conn").inner_text() == "Connected"
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    # The notice comes first: read aloud, the candidate's answer recorded, then start.
    assert page.locator("[data-transition=live]").is_disabled()
    assert page.locator(".notice-text").is_visible()
    page.click("[data-notice-decision=agreed]")
    page.locator('#notice[data-decision="agreed"]').wait_for(state="attached")
    assert page.locator(".notice-text").is_hidden()
    page.click("[data-transition=live]")
    page.locator('#live[data-status="live"]').wait_for()
    assert page.locator("#status").inner_text() == "Live"
    assert page.locator("[data-transition=live]").is_hidden()
    interview.refresh_from_db()
    assert interview.status == "live" and interview.started_at is not None

    _row, token = api_token_create(user=alice, name="e2e")
    ingest = Ingest(server.url, interview.pk, token)

    # An interim result shows as an interim row; its final replaces it in place.
    ingest.feed(spanish_recording[:FIRST_FINAL])
    interim = page.locator("#transcript li.interim")
    interim.wait_for()
    interim_id = interim.get_attribute("data-id")
    assert interim.locator(".text").inner_text() == "Hola, buenas tardes. ¿Se"
    assert page.locator("#swap-roles").is_hidden()  # nothing to swap yet
    shot(page, artifacts, "03-interim")
    ingest.feed(spanish_recording[FIRST_FINAL : FIRST_FINAL + 1])
    first = page.locator(f"#transcript li[data-id='{interim_id}']:not(.interim)")
    first.wait_for()
    assert first.locator(".text").inner_text() == "Hola, buenas tardes. ¿Se me oye bien?"
    assert page.locator("#transcript li").count() == 1

    # The opening arrives in one request, as `replay_interview --speed 0` or a relay
    # catching up sends it (message by message the built-in role detection decides
    # too early on this recording: see the xfail test below); then message by message.
    started = time.monotonic()
    ingest.batch(spanish_recording[FIRST_FINAL + 1 : OPENING_END])
    ingest.feed(spanish_recording[OPENING_END:AFTER_PROTECTED], pause=0.01)
    feed_seconds = time.monotonic() - started
    expected = final_texts(spanish_recording[:AFTER_PROTECTED])
    page.locator(
        f"#transcript li:not(.interim) >> nth={len(expected) - 1}"
    ).wait_for()  # every final row is there
    wait_for(lambda: analysis_done(interview), what="the analysis to catch up")
    insight_ids = list(
        AIInsight.objects.filter(interview=interview).order_by("-pk").values_list("pk", flat=True)
    )
    assert insight_ids
    wait_for(lambda: page_ids(page, "#insights li.insight") == insight_ids, what="every insight")

    # In order: the conversation as recorded, and the newest insight first.
    texts = page.locator("#transcript li .text").all_inner_texts()
    assert texts == expected
    assert page.locator("#transcript li.interim").count() == 0
    assert page_ids(page, "#transcript li") == list(
        Transcript.objects.filter(interview=interview)
        .order_by("timestamp", "pk")
        .values_list("pk", flat=True)
    )

    assert transcript_follows(page)

    # Roles were detected: the interviewer is speaker_1 in this recording.
    interview.refresh_from_db()
    assert interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    hello = page.locator("#transcript li").first  # the candidate's "Hola, buenas tardes"
    assert hello.locator(".who").inner_text() == "Candidate"
    # Names first, the diarised speakers second, and how sure the detection is.
    assert page.locator("#roles-text").inner_text() == (
        f"Interviewer: {alice.get_full_name()} (Speaker 2) · Candidate: {CANDIDATE} (Speaker 1)"
    )
    assert page.locator("#roles-confidence").inner_text() in ("sure", "probably: check")

    # The protected question is flagged to the interviewer.
    protected = page.locator("#insights li.insight.protected")
    protected.first.wait_for()
    assert protected.first.is_visible()
    assert protected.first.locator(".topic").text_content() == "Protected question"
    assert "hijos" in protected.first.inner_text().lower()
    shot(page, artifacts, "04-live-insights")

    # Mark a suggestion used.
    suggestion = page.locator("#insights li.insight.type-suggestion").first
    suggestion_id = int(suggestion.get_attribute("data-id"))
    suggestion.locator("button.use").click()
    page.locator(f"#insights li[data-id='{suggestion_id}'].used").wait_for()
    assert page.locator(f"#insights li[data-id='{suggestion_id}'] button.use").inner_text() == (
        "Used ✓"
    )
    assert AIInsight.objects.get(pk=suggestion_id).used

    # Swap roles: every label flips; swap back before completing.
    page.click("#swap-roles")
    page.locator("#roles-text", has_text=f"{alice.get_full_name()} (Speaker 1)").wait_for()
    assert hello.locator(".who").inner_text() == "Interviewer"
    shot(page, artifacts, "05-swapped")
    interview.refresh_from_db()
    assert interview.roles == {"host": "speaker_0", "guest": "speaker_1"}
    page.click("#swap-roles")
    page.locator("#roles-text", has_text=f"{alice.get_full_name()} (Speaker 2)").wait_for()
    assert hello.locator(".who").inner_text() == "Candidate"

    # Complete: the runner writes the scorecard and the page shows it is ready.
    page.click("[data-transition=completed]")
    page.locator('#live[data-status="completed"]').wait_for()
    page.locator('#scorecard-state[data-state="ready"]').wait_for(timeout=45_000)
    card = Scorecard.objects.get(interview=interview)
    assert card.state == "ready" and card.version >= 1
    # The person decides first: the live page holds the AI's verdict back.
    held = page.locator("#scorecard-state .recommendation").inner_text()
    assert held == "Scorecard ready. Record your decision to see the AI's recommendation."
    assert card.recommendation_reason not in page.content()
    assert page.evaluate("() => window.sameDocument") is True  # all of it without a reload
    shot(page, artifacts, "06-completed")

    # The scorecard with its radar chart on the interview page.
    page.click("#scorecard-state a")
    page.wait_for_url(f"**/interviews/{interview.pk}/")
    panel = page.locator('#scorecard[data-state="ready"]')
    panel.wait_for()
    radar = panel.locator("figure.radar-figure svg")
    assert radar.is_visible()
    assert radar.bounding_box()["width"] > 150
    assert panel.locator(".ai-hidden").is_visible()
    decision = panel.locator("form[action$='/scorecard/decision/']")
    decision.locator("select[name=decision]").select_option("hire")
    decision.locator("[name=reason]").fill("Concrete answers about Django and PostgreSQL.")
    decision.locator("button[type=submit]").click()
    panel = page.locator('#scorecard[data-state="ready"]')
    panel.locator(".sc-verdict.ai .verdict").wait_for()
    assert panel.locator(".ai-hidden").count() == 0
    assert card.recommendation_reason in panel.inner_text()
    panel.scroll_into_view_if_needed()
    shot(page, artifacts, "07-scorecard")

    # The PDF report downloads and names the candidate.
    with page.expect_download() as download_info:
        panel.locator(f"a[href='/interviews/{interview.pk}/report.pdf']").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert CANDIDATE in text

    assert page.errors == []
    print(f"fed {AFTER_PROTECTED} messages in {feed_seconds:.1f}s")


# --- Scenario 2 --------------------------------------------------------------------


@pytest.fixture
def proxy(server):
    """The browser's way to the server: a TCP proxy the test can cut, like a network."""
    proxy = TcpProxy(server.port).start()
    yield proxy
    proxy.stop()


def wait_connection(page, state: str, timeout: float = 20) -> None:
    page.locator(f'#live[data-connection="{state}"]').wait_for(timeout=timeout * 1000)


def test_the_live_page_catches_up_after_a_server_restart_and_a_network_drop(
    alice, started, spanish_recording, server, proxy, page, artifacts
):
    interview, token = started
    ingest = Ingest(server.url, interview.pk, token)
    via_proxy = f"http://127.0.0.1:{proxy.port}"
    sign_in(page, via_proxy, alice.email, PASSWORD)
    page.goto(f"{via_proxy}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")
    page.evaluate("() => { window.sameDocument = true; }")

    ingest.batch(spanish_recording[:OPENING_END])
    ingest.feed(spanish_recording[OPENING_END:100])
    page.locator("#transcript li", has_text="Llevaba la API de seguimiento").wait_for()

    # The server dies without a goodbye: the page says so and keeps retrying.
    server.kill()
    wait_connection(page, "offline")
    assert page.locator("#conn").inner_text() == "Offline, reconnecting…"
    shot(page, artifacts, "01-server-down")
    # A new server on the same port; rows posted before the page is back on it.
    server.start()
    ingest = Ingest(server.url, interview.pk, token)
    ingest.feed(spanish_recording[100:150])
    wait_connection(page, "live", timeout=30)
    assert page.locator("#conn").inner_text() == "Connected"
    page.locator("#transcript li", has_text="¿Qué tal te manejas con el testing?").wait_for()

    # The network drops in the middle of an utterance: its interim result is on the
    # page, its final and the next turns arrive while the page cannot hear.
    ingest.feed(spanish_recording[150:155])
    page.locator("#transcript li.interim").wait_for()
    proxy.cut()
    wait_connection(page, "offline")
    ingest.feed(spanish_recording[155:AFTER_PROTECTED])
    time.sleep(1)  # a drop long enough for a retry or two to fail
    assert page.locator("#live").get_attribute("data-connection") != "live"
    shot(page, artifacts, "02-network-down")
    proxy.restore()
    wait_connection(page, "live", timeout=30)

    # Afterwards: every row and insight exactly once, finals only, in order.
    wait_for(lambda: analysis_done(interview), what="the analysis to catch up")
    rows = list(
        Transcript.objects.filter(interview=interview)
        .order_by("timestamp", "pk")
        .values_list("pk", flat=True)
    )
    insights = set(AIInsight.objects.filter(interview=interview).values_list("pk", flat=True))
    assert insights
    wait_for(lambda: page_ids(page, "#transcript li") == rows, what="every transcript row")
    wait_for(lambda: set(page_ids(page, "#insights li")) == insights, what="every insight")
    on_page = page_ids(page, "#insights li")
    assert len(on_page) == len(set(on_page))
    assert page.locator("#transcript li.interim").count() == 0
    texts = page.locator("#transcript li .text").all_inner_texts()
    assert texts == final_texts(spanish_recording[:AFTER_PROTECTED])
    assert page.locator("#insights li.insight.protected").count() == 1
    assert page.evaluate("() => window.sameDocument") is True
    assert transcript_follows(page)
    shot(page, artifacts, "03-caught-up")
    # Failed reconnects are logged by the browser; nothing else went wrong.
    assert [e for e in page.errors if "WebSocket" not in e and "net::" not in e] == []


# --- Scenario 3 --------------------------------------------------------------------


def test_the_live_page_speaks_spanish(alice, started, spanish_recording, server, page, artifacts):
    interview, token = started
    ingest = Ingest(server.url, interview.pk, token)
    ingest.batch(spanish_recording[:OPENING_END])
    ingest.batch(spanish_recording[OPENING_END:AFTER_PROTECTED])

    sign_in(page, server.url, alice.email, PASSWORD)
    page.click(".langswitch button[value=es]")
    page.locator("html[lang=es]").wait_for()
    page.goto(f"{server.url}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")
    wait_for(lambda: analysis_done(interview), what="the analysis to catch up")
    page.locator("#insights li.insight.protected").wait_for()

    # The server's catalogue...
    assert page.locator("#t-h").inner_text() == "Transcripción"
    assert page.locator("#i-h").inner_text() == "Observaciones"
    assert page.locator("[data-transition=completed]").inner_text() == "Completar entrevista"
    assert page.locator("#swap-roles").inner_text() == "Intercambiar roles"
    # ...and the JavaScript one, for what live.js writes.
    assert page.locator("#conn").inner_text() == "Conectado"
    assert page.locator("#status").inner_text() == "En directo"
    assert page.locator("#roles-text").inner_text() == (
        f"Entrevistador: {alice.get_full_name()} (Hablante 2) · Candidato: {CANDIDATE} (Hablante 1)"
    )
    # Opened mid-interview, the transcript shows its latest turns.
    assert transcript_follows(page)
    # A row that continues its speaker's turn shows no name of its own.
    who = set(page.locator("#transcript li .who").all_inner_texts()) - {""}
    assert who == {"Entrevistador", "Candidato"}
    protected = page.locator("#insights li.insight.protected").first
    assert protected.locator(".topic").text_content() == "Pregunta protegida"
    assert protected.locator(".sev").text_content() == "Crítica"
    assert "Marcar como usada" in page.locator("#insights button.use").all_inner_texts()
    shot(page, artifacts, "01-live-es")
    assert page.errors == []


# --- Roles when the candidate speaks first ---------------------------------------
# (This found that role detection decided once, after four turns; an early,
# unsure guess is now revisited until it is confident or there is enough speech.)


def test_roles_are_right_when_the_candidate_speaks_first_in_real_time(
    started, spanish_recording, server
):
    interview, token = started
    Ingest(server.url, interview.pk, token).feed(spanish_recording[:150])
    wait_for(lambda: analysis_done(interview), what="the analysis to catch up")
    interview.refresh_from_db()
    assert interview.roles == {"host": "speaker_1", "guest": "speaker_0"}


# --- Scenario 4 --------------------------------------------------------------------


def test_the_notice_is_read_and_answered_in_spanish_before_the_interview_starts(
    alice, javier, backend_position, server, page, artifacts
):
    from interviews.models import CandidateNotice

    interview = InterviewFactory(
        interviewer=alice, candidate=javier, job_position=backend_position, notice=False
    )
    sign_in(page, server.url, alice.email, PASSWORD)
    page.click(".langswitch button[value=es]")
    page.locator("html[lang=es]").wait_for()
    page.goto(f"{server.url}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")

    # The Spanish text to read aloud, and no way to start before an answer.
    assert page.locator("#n-h").inner_text() == "Aviso al candidato"
    assert "Antes de empezar" in page.locator(".notice-text").inner_text()
    assert "inteligencia artificial" in page.locator(".notice-text").inner_text()
    assert page.locator("#notice-state").inner_text() == "Aún sin leer"
    assert page.locator("[data-transition=live]").is_disabled()
    shot(page, artifacts, "01-notice-es")

    page.select_option("#notice-channel", "spoken")
    page.click("[data-notice-decision=agreed]")
    page.locator('#notice[data-decision="agreed"]').wait_for(state="attached")
    assert page.locator("#notice-state").inner_text() == "El candidato aceptó la grabación"
    assert page.locator(".notice-text").is_hidden()
    notice = CandidateNotice.objects.get(interview=interview)
    assert (notice.decision, notice.channel, notice.language) == ("agreed", "spoken", "es")

    page.click("[data-transition=live]")
    page.locator('#live[data-status="live"]').wait_for()
    shot(page, artifacts, "02-notice-agreed-live-es")
    assert page.errors == []
