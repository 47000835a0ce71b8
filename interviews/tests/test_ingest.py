from __future__ import annotations

import json

import pytest

from interviews.models import InterviewEvent, Transcript
from interviews.tests.deepgram_messages import results

pytestmark = pytest.mark.django_db


def post(client, interview, body):
    return client.post(
        f"/api/interviews/{interview.pk}/transcripts/",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_interim_results_update_one_row_and_the_final_replaces_its_text(
    alice_client, live_interview
):
    post(alice_client, live_interview, results("Hola qué", is_final=False, start=1.0))
    post(alice_client, live_interview, results("Hola qué tal", is_final=False, start=1.0))
    response = post(alice_client, live_interview, results("Hola, ¿qué tal estás?", start=1.0))

    assert response.status_code == 201
    rows = list(Transcript.objects.filter(interview=live_interview))
    assert len(rows) == 1
    assert rows[0].text == "Hola, ¿qué tal estás?"
    assert rows[0].is_interim is False
    assert rows[0].confidence == 95
    assert rows[0].speaker == "speaker_0"


def test_a_redelivered_chunk_changes_nothing(alice_client, live_interview):
    message = results("Tengo cinco años de experiencia", start=3.2)
    first = post(alice_client, live_interview, message)
    events_before = InterviewEvent.objects.count()
    again = post(alice_client, live_interview, message)
    late_interim = post(
        alice_client, live_interview, results("Tengo cinco", start=3.2, is_final=False)
    )

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {"transcripts": [], "duplicates": 1, "skipped": 0}
    assert late_interim.status_code == 200
    assert Transcript.objects.filter(interview=live_interview).count() == 1
    assert Transcript.objects.get().text == "Tengo cinco años de experiencia"
    assert InterviewEvent.objects.count() == events_before


def test_a_final_with_two_speakers_becomes_one_row_per_speaker_run(alice_client, live_interview):
    words = [(1, "¿Y"), (1, "Django?"), (0, "Sí,"), (0, "cuatro"), (0, "años."), (1, "Vale.")]
    response = post(alice_client, live_interview, results(words, start=10.0))

    assert response.status_code == 201
    rows = list(Transcript.objects.filter(interview=live_interview).chronological())
    assert [(r.speaker, r.text) for r in rows] == [
        ("speaker_1", "¿Y Django?"),
        ("speaker_0", "Sí, cuatro años."),
        ("speaker_1", "Vale."),
    ]
    assert len(response.json()["transcripts"]) == 3


def test_the_same_start_on_a_new_connection_is_a_new_chunk(alice_client, live_interview):
    post(alice_client, live_interview, results("Primera conexión", start=0.0, request_id="a"))
    post(alice_client, live_interview, results("Segunda conexión", start=0.0, request_id="b"))
    assert Transcript.objects.filter(interview=live_interview).count() == 2


def test_empty_transcripts_and_other_message_types_are_skipped(alice_client, live_interview):
    body = [
        results("", start=5.0),
        {"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": 4.2},
        {"type": "Metadata", "request_id": "req-1"},
    ]
    response = post(alice_client, live_interview, body)
    assert response.status_code == 200
    assert response.json() == {"transcripts": [], "duplicates": 0, "skipped": 3}
    assert not Transcript.objects.exists()


def test_an_empty_final_removes_its_interim_row(alice_client, live_interview):
    post(alice_client, live_interview, results("eh", start=7.0, is_final=False))
    post(alice_client, live_interview, results("", start=7.0))
    assert not Transcript.objects.exists()
    last = InterviewEvent.objects.order_by("-seq").first()
    assert last.type == "transcript" and last.data["deleted"] is True


def test_chunks_are_refused_unless_the_interview_is_live(alice_client, interview):
    response = post(alice_client, interview, results("Hola"))
    assert response.status_code == 409
    assert "scheduled" in response.json()["error"]  # names the current status
    assert not Transcript.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"channel": {}},
        [results("bien"), {"type": "Results", "channel": {"alternatives": []}}],
        {"type": "Results", "channel": {"alternatives": [{"transcript": 5}]}},
        results("sin metadatos") | {"metadata": {}},
        results("hola") | {"start": -1},
        results("hola") | {"is_final": "yes"},
        "just a string",
        [],
    ],
)
def test_malformed_results_are_refused_whole_with_a_message(alice_client, live_interview, body):
    response = post(alice_client, live_interview, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Transcript.objects.exists()
    assert not InterviewEvent.objects.filter(type="transcript").exists()


def test_invalid_json_is_a_400(alice_client, live_interview):
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/transcripts/",
        data="{nope",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_another_interviewer_may_not_post_chunks(client, bob, live_interview):
    client.force_login(bob)
    response = post(client, live_interview, results("Hola"))
    assert response.status_code == 403
    assert not Transcript.objects.exists()


def test_rows_get_the_detected_role_of_their_speaker(alice_client, live_interview):
    from interviews.services import interview_set_roles

    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    post(alice_client, live_interview, results([(1, "¿Qué"), (1, "tal?"), (0, "Bien.")]))
    rows = Transcript.objects.chronological()
    assert [r.speaker_role for r in rows] == ["host", "guest"]


def test_each_change_is_logged_with_a_gap_free_seq(alice_client, live_interview):
    post(alice_client, live_interview, results("uno", start=0, is_final=False))
    post(alice_client, live_interview, results("uno dos", start=0))
    post(alice_client, live_interview, results("tres", start=2))
    seqs = list(
        InterviewEvent.objects.filter(interview=live_interview).values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    live_interview.refresh_from_db()
    assert live_interview.last_seq == seqs[-1]


def test_rows_of_a_new_connection_continue_the_interview_clock(alice_client, live_interview):
    from datetime import timedelta

    from django.utils import timezone

    # Five minutes in, the first connection's audio is at 10 s when it is first heard.
    Interview = type(live_interview)
    Interview.objects.filter(pk=live_interview.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )
    post(alice_client, live_interview, results("primera", start=10.0, request_id="a"))
    post(alice_client, live_interview, results("segunda", start=20.0, request_id="a"))
    # A reconnect: Deepgram's start is back at 0.
    post(alice_client, live_interview, results("tras reconectar", start=0.5, request_id="b"))
    rows = {r.text: r for r in Transcript.objects.filter(interview=live_interview)}
    first, second, third = rows["primera"], rows["segunda"], rows["tras reconectar"]
    assert 295_000 <= first.offset_ms <= 305_000
    assert second.offset_ms - first.offset_ms == 10_000  # same connection: audio time
    assert third.offset_ms >= first.offset_ms  # never back to 00:00
    assert third.start_ms == 500


def test_speech_final_marks_only_the_last_speaker_run_and_an_utterance_end_marks_the_last_final(
    alice_client, live_interview
):
    words = [(1, "¿Y"), (1, "Django?"), (0, "Sí,"), (0, "cuatro"), (0, "años.")]
    post(alice_client, live_interview, results(words, start=10.0))
    post(alice_client, live_interview, results("Y algo de Go.", start=12.0, speech_final=False))
    rows = list(Transcript.objects.filter(interview=live_interview).chronological())
    assert [r.speech_final for r in rows] == [False, True, False]

    response = post(
        alice_client,
        live_interview,
        [
            results("Y también", start=14.0, is_final=False),
            {"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": 13.2},
        ],
    )
    assert response.status_code == 201
    rows = list(Transcript.objects.filter(interview=live_interview).chronological())
    # The interim row is not ended: the last FINAL is.
    assert [(r.text, r.speech_final) for r in rows][-2:] == [
        ("Y algo de Go.", True),
        ("Y también", False),
    ]


def test_an_utterance_end_on_a_bad_channel_is_refused(alice_client, live_interview):
    response = post(alice_client, live_interview, {"type": "UtteranceEnd", "channel": ["x"]})
    assert response.status_code == 400
    assert "channel" in response.json()["error"]


def _with_text(message: dict, text: str) -> dict:
    alternative = message["channel"]["alternatives"][0]
    alternative["transcript"] = text
    for word in alternative["words"]:
        word["punctuated_word"] = text
    return message


@pytest.mark.parametrize(
    "body",
    [
        _with_text(results("hola"), "ho\x00la"),
        _with_text(results("hola", is_final=False), "hola \ud800"),
        results("hola") | {"metadata": {"request_id": "req-\x00"}},
        results("hola") | {"metadata": {"request_id": "req-\udfff"}},
        results("hola") | {"start": 5_000_000},  # 5e9 ms: past PostgreSQL's integer
        results("hola") | {"duration": 3_000_000},
    ],
    ids=[
        "nul-text",
        "surrogate-text",
        "nul-request-id",
        "surrogate-request-id",
        "start",
        "duration",
    ],
)
def test_values_the_columns_cannot_hold_are_refused_with_a_message(
    alice_client, live_interview, body
):
    # json.dumps escapes both as \u0000 and \ud800, as any JSON client does: those
    # are refused for the whole body by the JSON reader (interview_companion.http.
    # json_parse), naming the character; a number past its column names the item.
    response = post(alice_client, live_interview, [results("bien", start=1.0), body])
    assert response.status_code == 400
    error = response.json()["error"]
    assert "NUL" in error or error.split(":")[0] in ("Item 1", "Elemento 1")  # the second item
    assert not Transcript.objects.exists()


@pytest.mark.postgres
def test_an_interview_live_for_weeks_keeps_its_offsets_in_the_column(alice_client, live_interview):
    from datetime import timedelta

    from django.utils import timezone

    type(live_interview).objects.filter(pk=live_interview.pk).update(
        started_at=timezone.now() - timedelta(days=30)
    )
    response = post(alice_client, live_interview, results("un mes después", start=2_000_000.0))
    assert response.status_code == 201
    assert Transcript.objects.get().offset_ms == 2**31 - 1
