"""Import of a finished Deepgram pre-recorded transcript: the service, the command,
the dashboard upload and the admin action, all through the same pipeline."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from interviews.live.admin import import_deepgram_transcript
from interviews.live.deepgram import InvalidResults
from interviews.live.imports import ImportRefused, transcript_import
from interviews.models import Interview, InterviewEvent, Transcript

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English, whatever catalogue has been compiled.
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# (speaker, start, text): speaker 1 asks the questions, so roles must not assume 0.
CONVERSATION = [
    (1, 0.4, "Hola Lucía, gracias por venir. ¿Cuántos años llevas trabajando con Django?"),
    (0, 5.1, "Llevo cuatro años con Django y migré la facturación a PostgreSQL en 2023."),
    (1, 11.8, "¿Cómo resolviste los bloqueos durante la migración?"),
    (0, 15.2, "Usamos índices concurrentes y migraciones en dos fases, sin parar el servicio."),
    (1, 22.0, "Perfecto. ¿Tienes experiencia con Docker?"),
    (0, 24.6, "Sí, todos nuestros servicios corren en contenedores con Docker Compose."),
]


def prerecorded(conversation=CONVERSATION, request_id="5f2b1c9e-prerecorded") -> dict:
    """A Deepgram pre-recorded response as `/v1/listen?diarize=true&utterances=true
    &punctuate=true&smart_format=true` returns it."""
    utterances, all_words = [], []
    for index, (speaker, start, text) in enumerate(conversation):
        words = []
        for i, token in enumerate(text.split()):
            word = {
                "word": token.strip(".,¿?¡!").lower(),
                "start": round(start + i * 0.32, 2),
                "end": round(start + (i + 1) * 0.32, 2),
                "confidence": 0.98,
                "speaker": speaker,
                "speaker_confidence": 0.91,
                "punctuated_word": token,
            }
            words.append(word)
        all_words += words
        utterances.append(
            {
                "start": words[0]["start"],
                "end": words[-1]["end"],
                "confidence": 0.97,
                "channel": 0,
                "transcript": text,
                "words": words,
                "speaker": speaker,
                "id": f"utt-{index:04d}",
            }
        )
    return {
        "metadata": {
            "transaction_key": "deprecated",
            "request_id": request_id,
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "created": "2026-11-20T10:15:02.123Z",
            "duration": 30.4,
            "channels": 1,
            "models": ["1abfe86b-e047-4eed-858a-35e5625b41ee"],
            "model_info": {
                "1abfe86b-e047-4eed-858a-35e5625b41ee": {
                    "name": "2-general-nova",
                    "version": "2024-01-06.5664",
                    "arch": "nova-3",
                }
            },
        },
        "results": {
            "channels": [
                {
                    "alternatives": [
                        {
                            "transcript": " ".join(text for _, _, text in conversation),
                            "confidence": 0.97,
                            "words": all_words,
                        }
                    ],
                    "detected_language": "es",
                }
            ],
            "utterances": utterances,
        },
    }


def test_an_import_takes_a_scheduled_interview_through_live_to_completed(interview):
    outcome = transcript_import(interview=interview, response=prerecorded())

    interview.refresh_from_db()
    assert interview.status == "completed"
    assert interview.started_at is not None and interview.completed_at is not None
    assert interview.stt_provider == "deepgram"
    rows = list(Transcript.objects.filter(interview=interview).chronological())
    assert [(r.speaker, r.text, r.is_interim) for r in rows] == [
        (f"speaker_{speaker}", text, False) for speaker, _, text in CONVERSATION
    ]
    assert outcome.utterances == 6 and outcome.transcript_ids == [r.pk for r in rows]
    # Rows are in speaking order by timestamp too (not only by id).
    assert [r.timestamp for r in rows] == sorted(r.timestamp for r in rows)
    assert len({r.timestamp for r in rows}) == len(rows)
    assert rows[1].start_ms == 5100 and rows[1].request_id == "5f2b1c9e-prerecorded"
    # Live pages saw it happen: live, six rows, completed.
    events = list(InterviewEvent.objects.filter(interview=interview).order_by("seq"))
    assert [e.type for e in events] == ["interview"] + ["transcript"] * 6 + ["interview"]
    assert events[-1].data["status"] == "completed"


def test_a_live_interview_without_transcripts_can_take_an_import(live_interview):
    transcript_import(interview=live_interview, response=prerecorded())
    live_interview.refresh_from_db()
    assert live_interview.status == "completed"


def test_the_runner_then_detects_roles_analyses_and_writes_the_scorecard(interview, settings):
    from interviews.analysis.runner import analyze_pending
    from interviews.models import AIInsight, Scorecard

    settings.AI_PROVIDERS = ["builtin"]
    transcript_import(interview=interview, response=prerecorded())

    analyze_pending(interview.pk)

    interview.refresh_from_db()
    assert interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert not Transcript.objects.filter(interview=interview, analyzed_at__isnull=True).exists()
    assert interview.ai_provider == "builtin"
    assert AIInsight.objects.filter(interview=interview).exists()
    assert Scorecard.objects.get(interview=interview).state == "ready"


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_finished_interview_refuses_an_import(interview, status):
    Interview.objects.filter(pk=interview.pk).update(status=status)
    with pytest.raises(ImportRefused, match="scheduled or live"):
        transcript_import(interview=interview, response=prerecorded())
    assert not Transcript.objects.exists()


def test_an_interview_that_already_has_a_transcript_refuses_an_import(live_interview):
    from interviews.live.ingest import transcript_ingest
    from interviews.tests.deepgram_messages import results

    transcript_ingest(interview=live_interview, results=results("Hola"))
    with pytest.raises(ImportRefused, match="already has a transcript"):
        transcript_import(interview=live_interview, response=prerecorded())
    assert Transcript.objects.count() == 1
    live_interview.refresh_from_db()
    assert live_interview.status == "live"


@pytest.mark.parametrize(
    "response, message",
    [
        ({"metadata": {"request_id": "x"}, "results": {"channels": []}}, "utterances"),
        (prerecorded() | {"metadata": {}}, "request_id"),
        (prerecorded([]), "no utterances with speech"),
        ([1, 2, 3], "JSON object"),
    ],
)
def test_an_unreadable_transcript_changes_nothing(interview, response, message):
    events_before = InterviewEvent.objects.count()
    with pytest.raises(InvalidResults, match=message):
        transcript_import(interview=interview, response=response)
    interview.refresh_from_db()
    assert interview.status == "scheduled"
    assert not Transcript.objects.exists()
    assert InterviewEvent.objects.count() == events_before


def test_a_bad_utterance_rolls_the_whole_import_back(interview):
    response = prerecorded()
    response["results"]["utterances"][3]["words"][0]["speaker"] = "three"
    with pytest.raises(InvalidResults):
        transcript_import(interview=interview, response=response)
    interview.refresh_from_db()
    assert interview.status == "scheduled" and interview.started_at is None
    assert not Transcript.objects.exists()


# --- The command ----------------------------------------------------------------


def test_the_command_imports_a_file(interview, tmp_path):
    path = tmp_path / "deepgram.json"
    path.write_text(json.dumps(prerecorded(), ensure_ascii=False), encoding="utf-8")
    out = StringIO()

    call_command("import_transcript", str(interview.pk), str(path), stdout=out)

    assert "6 transcript row(s)" in out.getvalue() and "completed" in out.getvalue()
    assert Transcript.objects.filter(interview=interview).count() == 6


def test_the_command_can_analyse_right_away(interview, tmp_path, settings):
    settings.AI_PROVIDERS = ["builtin"]
    path = tmp_path / "deepgram.json"
    path.write_text(json.dumps(prerecorded()), encoding="utf-8")
    out = StringIO()
    call_command("import_transcript", str(interview.pk), str(path), "--analyze", stdout=out)
    assert "scorecard: ready" in out.getvalue()


def test_the_command_says_what_is_wrong(interview, tmp_path, settings):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_transcript", str(interview.pk), str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_transcript", str(interview.pk), str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_transcript", str(interview.pk + 99), str(bad))
    settings.TRANSCRIPT_IMPORT_MAX_BYTES = 100
    bad.write_text(json.dumps(prerecorded()), encoding="utf-8")
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_transcript", str(interview.pk), str(bad))
    interview.refresh_from_db()
    assert interview.status == "scheduled"


# --- The dashboard upload -------------------------------------------------------


def upload(content: bytes | None = None) -> SimpleUploadedFile:
    content = content if content is not None else json.dumps(prerecorded()).encode()
    return SimpleUploadedFile("deepgram.json", content, content_type="application/json")


def test_the_interviewer_imports_from_the_dashboard(alice_client, interview):
    url = f"/interviews/{interview.pk}/import/"
    page = alice_client.get(url)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    response = alice_client.post(url, {"transcript": upload()})

    assert response.status_code == 302
    assert response["Location"] == f"/interviews/{interview.pk}/"
    assert Transcript.objects.filter(interview=interview).count() == 6
    interview.refresh_from_db()
    assert interview.status == "completed"


def test_another_interviewer_may_look_but_not_import(client, bob, interview):
    client.force_login(bob)
    url = f"/interviews/{interview.pk}/import/"
    assert 'type="file"' not in client.get(url).content.decode()
    response = client.post(url, {"transcript": upload()})
    assert response.status_code == 403
    assert not Transcript.objects.exists()


def test_staff_may_import_for_any_interviewer(client, charlie, interview):
    client.force_login(charlie)
    response = client.post(f"/interviews/{interview.pk}/import/", {"transcript": upload()})
    assert response.status_code == 302


def test_a_refused_upload_shows_why(alice_client, interview):
    url = f"/interviews/{interview.pk}/import/"
    not_json = alice_client.post(url, {"transcript": upload(b"\x89PNG....")})
    not_diarised = alice_client.post(
        url, {"transcript": upload(json.dumps({"metadata": {}, "results": {}}).encode())}
    )
    assert not_json.status_code == 400 and "not valid JSON" in not_json.content.decode()
    assert not_diarised.status_code == 400 and "utterances" in not_diarised.content.decode()
    Interview.objects.filter(pk=interview.pk).update(status="cancelled")
    cancelled = alice_client.post(url, {"transcript": upload()})
    assert cancelled.status_code == 400
    assert "scheduled or live" in cancelled.content.decode()
    assert not Transcript.objects.exists()


def test_the_import_page_needs_a_signed_in_user(client, interview):
    response = client.post(f"/interviews/{interview.pk}/import/", {"transcript": upload()})
    assert response.status_code in (302, 401, 403)
    assert not Transcript.objects.exists()


# --- The admin action -----------------------------------------------------------


def admin_request(user, data: dict | None = None):
    factory = RequestFactory()
    request = factory.post("/admin/interviews/interview/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_admin_action_asks_for_the_file_then_imports_it(charlie, interview):
    model_admin = admin.site._registry[Interview]
    queryset = Interview.objects.filter(pk=interview.pk)

    form_page = import_deepgram_transcript(model_admin, admin_request(charlie), queryset)
    form_page.render()
    assert form_page.status_code == 200
    assert 'name="apply"' in form_page.rendered_content
    assert f'value="{interview.pk}"' in form_page.rendered_content

    request = admin_request(
        charlie,
        {"apply": "1", "action": "import_deepgram_transcript", "transcript": upload()},
    )
    assert import_deepgram_transcript(model_admin, request, queryset) is None

    assert Transcript.objects.filter(interview=interview).count() == 6
    assert "Imported 6 transcript rows" in next(str(m) for m in request._messages)


def test_the_admin_action_wants_exactly_one_interview(charlie, interview):
    from tests.factories import InterviewFactory

    other = InterviewFactory()
    request = admin_request(charlie)
    result = import_deepgram_transcript(
        admin.site._registry[Interview],
        request,
        Interview.objects.filter(pk__in=[interview.pk, other.pk]),
    )
    assert result is None
    assert "exactly one" in next(str(m) for m in request._messages)


@pytest.mark.parametrize(("notice", "says"), [(False, "notice"), ("declined", "declined")])
def test_an_import_needs_the_candidates_agreement(alice, candidate, notice, says):
    from tests.factories import InterviewFactory

    untold = InterviewFactory(interviewer=alice, candidate=candidate, notice=notice)

    with pytest.raises(ImportRefused, match=says):
        transcript_import(interview=untold, response=prerecorded())
    untold.refresh_from_db()
    assert untold.status == "scheduled"
    assert not Transcript.objects.filter(interview=untold).exists()
