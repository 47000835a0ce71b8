"""The candidate notice: nothing goes live before the candidate's answer is
recorded, and after a declined notice nothing is transcribed or analysed, by any
path (the Django view, the API-token fast path, the audio relay, the runner)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator

from accounts.services import api_token_create
from audit.models import AuditEvent
from interview_companion.asgi import application
from interviews.analysis.runner import analyze_pending
from interviews.models import (
    AIInsight,
    CandidateNotice,
    Interview,
    InterviewEvent,
    NoticeText,
    Scorecard,
    Transcript,
)
from interviews.scorecards.services import ScorecardError, scorecard_generate
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory, TranscriptFactory


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def untold(alice, candidate, position):
    """An interview whose candidate has not been read the notice yet."""
    return InterviewFactory(
        interviewer=alice, candidate=candidate, job_position=position, notice=False
    )


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def notice(client, interview, decision="agreed", channel="spoken"):
    return post(
        client,
        f"/api/interviews/{interview.pk}/notice/",
        {"decision": decision, "channel": channel},
    )


def go_live(client, interview):
    return post(client, f"/api/interviews/{interview.pk}/transition/", {"to": "live"})


@pytest.mark.django_db
def test_an_interview_does_not_go_live_before_the_notice_is_recorded(alice_client, untold):
    response = go_live(alice_client, untold)

    assert response.status_code == 409
    assert "notice" in response.json()["error"]
    untold.refresh_from_db()
    assert untold.status == "scheduled" and untold.started_at is None
    assert not InterviewEvent.objects.filter(interview=untold).exists()


@pytest.mark.django_db
def test_the_agreed_notice_is_recorded_then_the_interview_goes_live(alice_client, alice, untold):
    response = notice(alice_client, untold, "agreed", "spoken")

    assert response.status_code == 201
    row = CandidateNotice.objects.get(interview=untold)
    text = NoticeText.objects.get(version=row.notice_version, language="es")
    assert (row.decision, row.channel, row.language) == ("agreed", "spoken", "es")
    assert (row.candidate_id, row.recorded_by, row.notice_text) == (
        untold.candidate_id,
        alice,
        text,
    )
    assert response.json()["notice_version"] == text.version
    untold.refresh_from_db()
    assert untold.notice_decision == "agreed"
    event = InterviewEvent.objects.get(interview=untold)
    assert event.data["notice_decision"] == "agreed"
    audit = AuditEvent.objects.get(action="notice.recorded")
    assert (audit.actor, audit.interview_id, audit.candidate_id) == (
        alice,
        untold.pk,
        untold.candidate_id,
    )
    assert audit.details == {
        "decision": "agreed",
        "channel": "spoken",
        "notice_version": text.version,
        "language": "es",
    }

    assert go_live(alice_client, untold).status_code == 200


@pytest.mark.django_db
def test_the_first_notice_text_says_what_the_law_asks_in_both_languages():
    es = NoticeText.objects.get(version=1, language="es").text
    en = NoticeText.objects.get(version=1, language="en").text

    for words in ("graba", "inteligencia artificial", "persona", "180 días", "borremos"):
        assert words in es
    for words in ("record", "artificial-intelligence", "person", "180 days", "erased"):
        assert words in en


@pytest.mark.django_db
def test_an_english_interview_records_the_english_text(alice_client, untold):
    Interview.objects.filter(pk=untold.pk).update(language="en")

    assert notice(alice_client, untold, channel="written").status_code == 201
    assert CandidateNotice.objects.get(interview=untold).language == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"decision": "maybe", "channel": "spoken"},
        {"decision": "agreed", "channel": "telepathy"},
        {"decision": "agreed"},
        {"decision": ["agreed"], "channel": "spoken"},
        {"decision": "agreed", "channel": "spoken", "extra": 1},
    ],
)
def test_a_bad_notice_is_refused_and_writes_nothing(alice_client, untold, body):
    response = post(alice_client, f"/api/interviews/{untold.pk}/notice/", body)

    assert response.status_code == 400 and response.json()["error"]
    assert not CandidateNotice.objects.filter(interview=untold).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_only_the_interviewer_or_staff_record_the_notice(client, bob, charlie, untold):
    client.force_login(bob)
    assert notice(client, untold).status_code == 403
    client.force_login(charlie)
    assert notice(client, untold).status_code == 201
    assert CandidateNotice.objects.get(interview=untold).recorded_by == charlie


@pytest.mark.django_db
def test_no_notice_is_recorded_once_the_interview_is_over(alice_client, live_interview):
    interview_transition(interview=live_interview, to="completed")

    response = notice(alice_client, live_interview, "declined")

    assert response.status_code == 409
    assert CandidateNotice.objects.filter(interview=live_interview).count() == 1  # the factory's


@pytest.mark.django_db
def test_without_the_requirement_an_interview_goes_live_untold(settings, alice_client, untold):
    settings.CANDIDATE_NOTICE_REQUIRED = False

    assert go_live(alice_client, untold).status_code == 200


@pytest.fixture
def declined(alice_client, untold):
    assert notice(alice_client, untold, "declined").status_code == 201
    # Declining does not stop the interview: it goes on with notes and a hand scorecard.
    assert go_live(alice_client, untold).status_code == 200
    untold.refresh_from_db()
    return untold


@pytest.mark.django_db
def test_after_a_declined_notice_the_transcripts_view_refuses(alice_client, declined):
    response = post(alice_client, f"/api/interviews/{declined.pk}/transcripts/", results("Hola"))

    assert response.status_code == 409
    assert "declined" in response.json()["error"]
    assert not Transcript.objects.filter(interview=declined).exists()


@pytest.mark.django_db(transaction=True)
def test_after_a_declined_notice_the_fast_path_refuses(alice, declined):
    _row, token = api_token_create(user=alice)
    communicator = HttpCommunicator(
        application,
        "POST",
        f"/api/interviews/{declined.pk}/transcripts/",
        body=json.dumps(results("Hola")).encode(),
        headers=[
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"accept-language", b"en"),
        ],
    )
    response = async_to_sync(communicator.get_response)(timeout=10)

    assert response["status"] == 409
    assert "declined" in json.loads(response["body"])["error"]
    assert not Transcript.objects.filter(interview=declined).exists()


@pytest.mark.django_db
def test_after_a_declined_notice_the_runner_analyses_nothing(alice_client, declined):
    # Rows that came in before the candidate changed their mind (e.g. an import).
    TranscriptFactory(interview=declined, speaker="speaker_0", text="¿Cuántos años con Django?")
    TranscriptFactory(interview=declined, speaker="speaker_1", text="Cinco años, con Postgres.")

    analyze_pending()

    assert not AIInsight.objects.filter(interview=declined).exists()
    assert Transcript.objects.filter(interview=declined, analyzed_at__isnull=True).count() == 2
    declined.refresh_from_db()
    assert not declined.roles_assigned


@pytest.mark.django_db
def test_after_a_declined_notice_no_ai_scorecard_is_written(alice_client, declined):
    interview_transition(interview=declined, to="completed")

    analyze_pending()  # the runner's scorecard step skips it
    assert not Scorecard.objects.filter(interview=declined).exists()
    with pytest.raises(ScorecardError, match="declined"):
        scorecard_generate(interview=declined)

    # The interviewer's own notes and decision still work.
    response = alice_client.post(
        f"/interviews/{declined.pk}/scorecard/decision/",
        {"decision": "maybe", "reason": "Good answers, no recording."},
    )
    assert response.status_code == 302
    assert Scorecard.objects.get(interview=declined).decision == "maybe"


@pytest.mark.django_db
def test_the_live_page_shows_the_notice_to_read_aloud_in_spanish(client, alice, untold):
    from django.utils import translation

    client.force_login(alice)
    with translation.override("es"):
        page = client.get(f"/interviews/{untold.pk}/live/", headers={"accept-language": "es"})

    html = page.content.decode()
    assert page.status_code == 200
    assert NoticeText.objects.get(version=1, language="es").text.splitlines()[0] in html
    assert 'data-notice-decision="agreed"' in html and 'data-notice-decision="declined"' in html
    assert f'data-notice-url="/api/interviews/{untold.pk}/notice/"' in html


@pytest.mark.django_db
def test_staff_write_a_new_version_in_the_admin_and_a_read_one_stays_as_it_was(
    client, alice_client, untold
):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    used = NoticeText.objects.get(version=1, language="es")
    notice(alice_client, untold)  # version 1 has now been read to someone

    page = client.get(f"/admin/interviews/noticetext/{used.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()  # read-only
    assert client.post(f"/admin/interviews/noticetext/{used.pk}/delete/").status_code == 403

    response = client.post(
        "/admin/interviews/noticetext/add/",
        {
            "version": "2",
            "language": "es",
            "text": "Versión 2: grabamos, una IA ayuda, decide una persona.",
        },
    )
    assert response.status_code == 302
    second = Interview.objects.create(
        candidate=untold.candidate, interviewer=untold.interviewer, language="es"
    )
    assert notice(alice_client, second).json()["notice_version"] == 2
    assert NoticeText.objects.get(pk=used.pk).text == used.text
