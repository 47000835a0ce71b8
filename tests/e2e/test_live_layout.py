"""The live page in the three set-ups an interviewer uses, in Debian's Chromium: a
window beside a video call (960x1000), a laptop (1280x720) and a large screen
(1920x1080). A recorded Spanish interview is posted through the ingest API; in each
set-up, without scrolling the page, the interviewer must see the newest insight and
the question to ask next, a critical alert until it is acknowledged, and the last
lines of the transcript. The Spanish page must show no internal code and no English
tag word. Screenshots go to artifacts/e2e/<test>/ (copied to docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from interviews.labels import live_labels
from interviews.models import AIInsight
from tests.e2e.conftest import sign_in
from tests.e2e.test_live_interview import (
    AFTER_PROTECTED,
    OPENING_END,
    PASSWORD,
    Ingest,
    analysis_done,
    wait_connection,
    wait_for,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

SETUPS = {
    "beside-a-call": (960, 1000),
    "laptop": (1280, 720),
    "large-screen": (1920, 1080),
}
# After the protected question: the candidate's next answers bring new insights.
MORE = AFTER_PROTECTED + 120

# Whether an element lies wholly inside the window and inside every scrolling box
# around it (an element scrolled out of its list is not "in view").
IN_VIEW = """(el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    let top = 0, left = 0, bottom = window.innerHeight, right = window.innerWidth;
    for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (/(auto|scroll|hidden)/.test(style.overflowY + style.overflowX)) {
            const b = p.getBoundingClientRect();
            top = Math.max(top, b.top); left = Math.max(left, b.left);
            bottom = Math.min(bottom, b.bottom); right = Math.min(right, b.right);
        }
    }
    return r.top >= top - 1 && r.left >= left - 1 && r.bottom <= bottom + 1 && r.right <= right + 1;
}"""

# The last transcript row may be a long answer: its last lines must be in view.
LAST_LINES_IN_VIEW = """(el) => {
    const r = el.getBoundingClientRect();
    const list = el.closest("ol").getBoundingClientRect();
    return r.bottom <= Math.min(list.bottom, window.innerHeight) + 1 && r.bottom > list.top + 20;
}"""


# Every link of the top menu is whole and inside the window (at 720 px it was cut to
# "Car…").
MENU_FITS = """() => [...document.querySelectorAll(".mainnav a")].every((a) => {
    const r = a.getBoundingClientRect();
    return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && a.scrollWidth <= a.clientWidth;
}) && document.querySelector(".mainnav").scrollWidth <= document.querySelector(".mainnav").clientWidth"""


def in_view(page, selector: str) -> bool:
    return page.locator(selector).first.evaluate(IN_VIEW)


def page_scrolled(page) -> bool:
    return page.evaluate("() => window.scrollY > 0")


@pytest.fixture
def posted(alice, started, spanish_recording, server):
    """The interview live, the opening and the protected question posted and
    analysed."""
    interview, token = started
    ingest = Ingest(server.url, interview.pk, token)
    ingest.batch(spanish_recording[:OPENING_END])
    ingest.batch(spanish_recording[OPENING_END:AFTER_PROTECTED])
    wait_for(lambda: analysis_done(interview), timeout=60, what="the analysis to catch up")
    assert AIInsight.objects.filter(interview=interview, severity="critical").exists()
    return interview, ingest


def check_in_view(page) -> None:
    assert not page_scrolled(page)
    assert page.evaluate(MENU_FITS), "the top menu is cut"
    assert in_view(page, "#insights li.insight"), "the newest insight is out of view"
    newest = page.locator("#insights li.insight").first
    if newest.locator(".suggest").is_visible():
        assert newest.locator(".suggest").evaluate(IN_VIEW), "its follow-up is out of view"
    assert in_view(page, "#followup"), "the question to ask next is out of view"
    assert in_view(page, "#alert-list li"), "the critical alert is out of view"
    last = page.locator("#transcript li").last
    assert last.evaluate(LAST_LINES_IN_VIEW), "the transcript's last lines are out of view"
    # The check can say no: the first line of the interview is scrolled away.
    assert not page.locator("#transcript li").first.evaluate(IN_VIEW)


@pytest.mark.parametrize("setup", list(SETUPS))
def test_each_set_up_shows_the_newest_insight_the_alert_and_the_transcript(
    setup, alice, posted, spanish_recording, server, page, artifacts
):
    interview, ingest = posted
    width, height = SETUPS[setup]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, server.url, alice.email, PASSWORD)
    page.goto(f"{server.url}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")

    # The protected question is pinned as a critical alert, in words.
    alert = page.locator("#alert-list li").first
    alert.wait_for()
    assert "Protected question" in alert.inner_text()
    check_in_view(page)
    page.screenshot(path=str(artifacts / f"live-{setup}-{width}x{height}.png"))

    # More answers arrive: the newest insight changes, the alert stays pinned.
    before = AIInsight.objects.filter(interview=interview).count()
    ingest.batch(spanish_recording[AFTER_PROTECTED:MORE])
    wait_for(lambda: analysis_done(interview), timeout=60, what="the analysis to catch up")
    newest = AIInsight.objects.filter(interview=interview).order_by("-timestamp", "-pk").first()
    assert AIInsight.objects.filter(interview=interview).count() > before
    page.locator(f"#insights li.insight[data-id='{newest.pk}']").wait_for()
    page.wait_for_function(
        "id => document.querySelector('#insights li.insight').dataset.id === String(id)",
        arg=newest.pk,
    )
    check_in_view(page)
    assert alert.is_visible()

    # Acknowledged, it leaves, and stays gone after a reload.
    alert.locator("button.ack").click()
    page.locator("#alerts").wait_for(state="hidden")
    page.reload()
    wait_connection(page, "live")
    assert page.locator("#alerts").is_hidden()
    assert page.errors == []


def test_keys_mark_the_question_to_ask_next_used_or_dismiss_it(alice, posted, server, page):
    interview, _ingest = posted
    page.set_viewport_size({"width": 960, "height": 1000})
    sign_in(page, server.url, alice.email, PASSWORD)
    page.goto(f"{server.url}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")

    first = int(page.locator("#followup").get_attribute("data-id"))
    page.keyboard.press("u")
    wait_for(lambda: AIInsight.objects.get(pk=first).used, what="U to mark it used")
    page.wait_for_function(
        "id => document.getElementById('followup').dataset.id !== String(id)", arg=first
    )
    second = int(page.locator("#followup").get_attribute("data-id"))
    page.keyboard.press("d")
    wait_for(lambda: AIInsight.objects.get(pk=second).dismissed, what="D to dismiss it")

    # Focus mode: only the feed and the question to ask next.
    page.keyboard.press("f")
    assert page.locator("#transcript").is_hidden()
    assert page.locator("#scores").is_hidden()
    assert page.locator("#followup").is_visible()
    assert in_view(page, "#insights li.insight")
    for width in (600, 720, 830):
        page.set_viewport_size({"width": width, "height": 900})
        assert in_view(page, "#followup")
        assert page.evaluate(MENU_FITS), f"the top menu is cut at {width} px"
    assert page.errors == []


def english_tag_words(interview) -> set[str]:
    """Every word the page uses for a code, in English, that Spanish says otherwise."""
    with translation.override("en"):
        en = live_labels(interview)
    with translation.override("es"):
        es = live_labels(interview)
    words = set()
    for kind in ("status", "type", "severity", "sentiment", "role", "dimension", "topic"):
        for code, word in en[kind].items():
            if es[kind][code] != word:
                words.add(word)
    for key in ("sure", "check"):
        words.add(en[key])
    for key in ("requirement_format", "speaker_format", "quality_format"):
        words.add(en[key].split("%s")[0].strip(" :"))
    return words


def test_the_spanish_page_shows_no_code_and_no_english_tag_word(
    alice, posted, server, page, artifacts
):
    interview, _ingest = posted
    page.set_viewport_size({"width": 960, "height": 1000})
    sign_in(page, server.url, alice.email, PASSWORD)
    page.click(".langswitch button[value=es]")
    page.locator("html[lang=es]").wait_for()
    page.goto(f"{server.url}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")
    page.locator("#alert-list li").first.wait_for()
    page.screenshot(path=str(artifacts / "live-es-960x1000.png"))

    # Everything but what the people said (the transcript and its quotes, where a
    # candidate may well say "select_related").
    text = page.evaluate(
        """() => {
            const copy = document.getElementById("live").cloneNode(true);
            for (const e of copy.querySelectorAll("#transcript, .evidence")) e.remove();
            document.body.append(copy);
            const text = copy.innerText;
            copy.remove();
            return text;
        }"""
    )
    assert not re.findall(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", text), "an UPPER_CASE code"
    assert not re.findall(r"\b[A-Za-z_]+:[A-Za-z_]+\b", text), "a word:word tag"
    assert not re.findall(r"\b[a-z]+_[a-z0-9_]+\b", text), "a snake_case code"
    tags = "\n".join(
        page.locator(
            "#live .ins-head, #alert-list strong, #roles, #transcript .who, #flag-counts,"
            " #requirements, #scores dt, #status, #f-h"
        ).all_inner_texts()
    )
    # People's names are not tags ("Alice Interviewer" is the fixture's name).
    tags = tags.replace(alice.get_full_name(), "").replace(interview.candidate.name, "")
    english = sorted(w for w in english_tag_words(interview) if re.search(rf"\b{w}\b", tags))
    assert english == []
    assert "Pregunta protegida" in tags and "Crítica" in tags
    assert page.errors == []


# Counts the tones the page plays (AudioContext is created on the first alert).
COUNT_TONES = """() => {
    window.tones = 0;
    const Base = window.AudioContext;
    window.AudioContext = class extends Base {
        createOscillator() {
            const tone = super.createOscillator();
            const start = tone.start.bind(tone);
            tone.start = (...args) => { window.tones += 1; return start(...args); };
            return tone;
        }
    };
}"""


def test_a_critical_alert_pulses_and_sounds_only_when_asked(
    alice, started, spanish_recording, server, page
):
    interview, token = started
    ingest = Ingest(server.url, interview.pk, token)
    ingest.batch(spanish_recording[:OPENING_END])
    page.set_viewport_size({"width": 960, "height": 1000})
    sign_in(page, server.url, alice.email, PASSWORD)
    page.goto(f"{server.url}/interviews/{interview.pk}/live/")
    wait_connection(page, "live")

    # Off by default.
    page.click(".view-options summary")
    assert not page.locator("#opt-pulse").is_checked()
    assert not page.locator("#opt-sound").is_checked()
    page.check("#opt-pulse")
    page.check("#opt-sound")
    page.evaluate(COUNT_TONES)

    # The protected question arrives while the page is open.
    ingest.batch(spanish_recording[OPENING_END:AFTER_PROTECTED])
    page.locator("#alerts.pulsing").wait_for(timeout=60_000)
    assert "Protected question" in page.locator("#alert-list").inner_text()
    assert page.evaluate("() => window.tones") == 1
    # Kept in the browser for the next interview.
    page.reload()
    wait_connection(page, "live")
    assert page.locator("#opt-pulse").is_checked()
    assert page.errors == []
