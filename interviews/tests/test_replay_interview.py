"""The recorded interviews and `replay_interview`, which posts them to a running
server: the recordings look like Deepgram's live stream, the pacing follows the
audio clock across a reconnect, and a replay into a real Daphne server on the
test database writes every final once."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken
from accounts.services import api_token_create
from interviews.live.deepgram import parse_results
from interviews.live.ingest import parse_batch
from interviews.live.recordings import load_recording
from interviews.management.commands.replay_interview import batches, due_times
from interviews.models import InterviewEvent, InterviewStatus, Transcript
from interviews.services import interview_transition
from tests.servers import daphne, free_port, subprocess_database_url

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
SPANISH = RECORDINGS / "entrevista_backend_es.jsonl"
ENGLISH = RECORDINGS / "interview_frontend_en.jsonl"


def results(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m.get("type") == "Results"]


def finals(messages: list[dict]) -> list[dict]:
    return [m for m in results(messages) if m["is_final"]]


def words(message: dict) -> list[dict]:
    return message["channel"]["alternatives"][0]["words"]


def audio_seconds(messages: list[dict]) -> float:
    """Audio time of a recording: the sum of its connections' lengths."""
    ends: dict[str, float] = {}
    for m in results(messages):
        ends[m["metadata"]["request_id"]] = m["start"] + m["duration"]
    return sum(ends.values())


# --- The recordings ------------------------------------------------------------


@pytest.mark.parametrize("path", [SPANISH, ENGLISH], ids=["es", "en"])
def test_a_recording_is_several_minutes_of_a_real_conversation(path):
    messages = load_recording(path)
    assert audio_seconds(messages) >= 5 * 60
    assert len(finals(messages)) >= 40
    speakers = {w["speaker"] for m in finals(messages) for w in words(m)}
    assert speakers == {0, 1}


@pytest.mark.parametrize("path", [SPANISH, ENGLISH], ids=["es", "en"])
def test_a_recording_has_the_shape_of_deepgrams_live_messages(path):
    messages = load_recording(path)
    for m in results(messages):
        assert m["channel_index"] == [0, 1]
        for word in words(m):
            assert set(word) == {
                "word",
                "start",
                "end",
                "confidence",
                "speaker",
                "speaker_confidence",
                "punctuated_word",
            }
            assert m["start"] <= word["start"] < word["end"] <= m["start"] + m["duration"]
    # Every utterance: growing interim results with the final's `start`, then the
    # final; the last final of a turn ends the speech.
    interims_before: dict[tuple, list[dict]] = {}
    for m in results(messages):
        key = (m["metadata"]["request_id"], m["start"])
        if not m["is_final"]:
            interims_before.setdefault(key, []).append(m)
            continue
        interims = interims_before.pop(key, [])
        lengths = [len(words(i)) for i in interims]
        assert lengths == sorted(lengths)
        assert all(m["channel"]["alternatives"][0]["transcript"] for m in interims)
    assert not interims_before  # no interim without its final
    with_interims = [m for m in finals(messages) if m["duration"] > 3]
    assert with_interims
    assert all(m["speech_final"] for m in finals(messages)[-3:])
    kinds = {m["type"] for m in messages}
    assert {"Results", "UtteranceEnd", "SpeechStarted", "Metadata"} <= kinds
    # The ingest parser reads every message of it.
    parsed, skipped = parse_batch(messages)
    ends = [p for p in parsed if p.utterance_end]
    assert len(parsed) - len(ends) == len(results(messages))
    assert len(ends) == sum(m["type"] == "UtteranceEnd" for m in messages)
    assert skipped == len(messages) - len(parsed)


def test_the_english_recording_reconnects_once_and_start_restarts_at_zero():
    messages = load_recording(ENGLISH)
    request_ids = []
    for m in results(messages):
        if not request_ids or request_ids[-1] != m["metadata"]["request_id"]:
            request_ids.append(m["metadata"]["request_id"])
            first_start = m["start"]
            assert first_start == 0
    assert len(request_ids) == len(set(request_ids)) == 2


def test_in_the_spanish_recording_the_interviewer_is_speaker_1():
    messages = finals(load_recording(SPANISH))
    # The candidate checks the audio first, so diarisation numbers them 0.
    opening = messages[0]
    assert opening["channel"]["alternatives"][0]["transcript"].startswith("Hola, buenas tardes.")
    assert {w["speaker"] for w in words(opening)} == {0}
    presentation = next(
        m
        for m in messages
        if "responsable de ingeniería" in m["channel"]["alternatives"][0]["transcript"]
    )
    assert {w["speaker"] for w in words(presentation)} == {1}


def test_the_recordings_are_exactly_what_build_py_makes(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("recordings_build", RECORDINGS / "build.py")
    build = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up while the module is being executed.
    monkeypatch.setitem(sys.modules, spec.name, build)
    spec.loader.exec_module(build)
    for source in sorted((RECORDINGS / "src").glob("*.txt")):
        target, _ = build.build(source, tmp_path)
        committed = RECORDINGS / target.name
        assert target.read_bytes() == committed.read_bytes(), (
            f"{committed.name} is stale: run .venv/bin/python interviews/recordings/build.py"
        )


# --- Pacing ----------------------------------------------------------------------


def test_interims_are_due_as_they_are_heard_not_all_at_their_shared_start():
    messages = load_recording(SPANISH)
    dues = due_times(messages)
    assert dues == sorted(dues)
    first_final = next(i for i, m in enumerate(messages) if m.get("is_final"))
    interim_dues = [
        dues[i] for i, m in enumerate(messages[:first_final]) if m.get("type") == "Results"
    ]
    assert len(set(interim_dues)) == len(interim_dues) > 1
    assert dues[first_final] > interim_dues[-1]
    assert dues[-1] == pytest.approx(audio_seconds(messages), abs=1.0)


def test_after_a_reconnect_pacing_continues_from_the_time_already_elapsed():
    messages = load_recording(ENGLISH)
    dues = due_times(messages)
    second = next(
        i
        for i, m in enumerate(messages)
        if m.get("type") == "Results"
        and m["metadata"]["request_id"] != messages[1]["metadata"]["request_id"]
    )
    first_connection_end = max(m["start"] + m["duration"] for m in results(messages[:second]))
    assert messages[second]["start"] == 0
    assert dues[second] > first_connection_end
    assert dues[-1] == pytest.approx(audio_seconds(messages), abs=2.0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_speed_two_waits_half_as_long_and_batches_what_is_due_together():
    dues = [0.0, 1.0, 1.0, 1.0, 3.0, 5.0]
    clock = FakeClock()
    sent = list(batches(dues, speed=2, max_batch=100, clock=clock, sleep=clock.sleep))
    assert sent == [(0, 1), (1, 4), (4, 5), (5, 6)]
    assert sum(clock.slept) == pytest.approx(2.5)


def test_speed_zero_sends_everything_at_once_in_batches_of_at_most_max_batch():
    clock = FakeClock()
    sent = list(
        batches([float(i) for i in range(7)], speed=0, max_batch=3, clock=clock, sleep=clock.sleep)
    )
    assert sent == [(0, 3), (3, 6), (6, 7)]
    assert clock.slept == []


# --- Bad input, said clearly ---------------------------------------------------------


def test_a_missing_recording_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such recording"):
        call_command("replay_interview", str(tmp_path / "nope.jsonl"), interview=1, token="x")


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"type": "Results"}\n{not json\n')
    with pytest.raises(CommandError, match="line 2: not valid JSON"):
        call_command("replay_interview", str(path), interview=1, token="x")


def test_a_json_list_and_json_lines_are_both_read(tmp_path):
    messages = load_recording(SPANISH)[:20]
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps(messages))
    assert load_recording(as_list) == messages


@pytest.mark.django_db
def test_without_interview_it_lists_the_interviews_it_could_replay_into(interview, tmp_path):
    with pytest.raises(CommandError, match=rf"--interview.*{interview.pk} \("):
        call_command("replay_interview", str(SPANISH))


def test_an_unreachable_server_is_a_clear_error():
    port = free_port()  # nothing listens there
    with pytest.raises(CommandError, match="Cannot reach the server"):
        call_command(
            "replay_interview",
            str(SPANISH),
            interview=1,
            token="ic_" + "a" * 40,
            server=f"http://127.0.0.1:{port}",
        )


@pytest.mark.django_db
def test_without_token_an_interview_missing_here_needs_one(tmp_path):
    with pytest.raises(CommandError, match="not in this database"):
        call_command("replay_interview", str(SPANISH), interview=999999)


# --- Against the real app, served by Daphne on the test database ---------------------------


def reconnect_slice(tmp_path: Path) -> tuple[Path, list[dict]]:
    """The English recording's last utterances before the reconnect and the first
    after it, as JSON Lines: a short replay that crosses a new request_id."""
    messages = load_recording(ENGLISH)
    final_indexes = [i for i, m in enumerate(messages) if m.get("is_final")]
    reconnect = next(i for i, m in enumerate(messages) if m.get("type") == "Metadata")
    before = [i for i in final_indexes if i < reconnect][-3]
    after = [i for i in final_indexes if i > reconnect][3]
    # From just after a final, so the slice starts with a fresh utterance.
    piece = messages[before + 1 : after + 1]
    path = tmp_path / "slice.jsonl"
    path.write_text("".join(json.dumps(m) + "\n" for m in piece))
    return path, piece


@pytest.fixture(scope="module")
def server(django_db_setup):
    # One server for the module: it only needs the test database's name, and each
    # test's transactional_db empties the tables between tests.
    with daphne(
        {"DATABASE_URL": subprocess_database_url(), "ANALYSIS_IN_PROCESS": "false"}
    ) as running:
        yield running


def replay(server, path, **options) -> str:
    out = StringIO()
    call_command("replay_interview", str(path), server=server.url, speed=0, stdout=out, **options)
    return out.getvalue()


def expected_rows(piece: list[dict]) -> set[tuple[str, int, int, str]]:
    rows = set()
    for m in finals(piece):
        for segment in parse_results(m).segments:
            rows.add((segment.request_id, segment.start_ms, segment.run, segment.text))
    return rows


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_replay_writes_every_final_once_and_replaces_the_interims(server, interview, tmp_path):
    path, piece = reconnect_slice(tmp_path)
    # One message per request, so each interim is stored, shown, then replaced.
    output = replay(server, path, interview=interview.pk, max_batch=1)

    interview.refresh_from_db()
    assert interview.status == InterviewStatus.LIVE
    stored = Transcript.objects.filter(interview=interview)
    assert {(r.request_id, r.start_ms, r.run, r.text) for r in stored} == expected_rows(piece)
    assert not stored.filter(is_interim=True).exists()
    assert len({r.request_id for r in stored}) == 2  # both sides of the reconnect
    shown_interim = InterviewEvent.objects.filter(
        interview=interview, type="transcript", data__is_interim=True
    )
    assert shown_interim.exists()
    assert "new Deepgram connection" in output
    # The token made for the replay is revoked once it is done.
    token = ApiToken.objects.get(user=interview.interviewer, name="replay")
    assert token.revoked_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_replaying_twice_adds_nothing(server, interview, tmp_path):
    path, _ = reconnect_slice(tmp_path)
    replay(server, path, interview=interview.pk)
    rows = list(Transcript.objects.filter(interview=interview).values_list("id", "text"))
    events = InterviewEvent.objects.filter(interview=interview).count()

    output = replay(server, path, interview=interview.pk)

    assert list(Transcript.objects.filter(interview=interview).values_list("id", "text")) == rows
    assert InterviewEvent.objects.filter(interview=interview).count() == events
    assert "0 transcript rows written" in output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_complete_moves_the_interview_to_completed_at_the_end(server, interview, tmp_path):
    path, _ = reconnect_slice(tmp_path)
    output = replay(server, path, interview=interview.pk, complete=True)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert f"Interview {interview.pk} is completed" in output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pacing_follows_the_recording_at_the_given_speed(server, interview, tmp_path):
    piece = load_recording(SPANISH)[:40]
    span = due_times(piece)[-1] - due_times(piece)[0]
    path = tmp_path / "paced.json"
    path.write_text(json.dumps(piece))
    began = time.monotonic()
    call_command(
        "replay_interview",
        str(path),
        server=server.url,
        interview=interview.pk,
        speed=20,
        stdout=StringIO(),
    )
    took = time.monotonic() - began
    assert span > 8  # the slice is long enough to measure
    assert took >= span / 20 * 0.9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refused_token_a_stranger_and_a_missing_interview_are_clear_errors(
    server, interview, bob, tmp_path
):
    path, _ = reconnect_slice(tmp_path)
    with pytest.raises(CommandError, match="refused the API token"):
        replay(server, path, interview=interview.pk, token="ic_" + "x" * 40)
    _, bobs = api_token_create(user=bob, name="bob")
    with pytest.raises(CommandError, match="may not change"):
        replay(server, path, interview=interview.pk, token=bobs)
    _, alices = api_token_create(user=interview.interviewer, name="alice")
    with pytest.raises(CommandError, match="has no interview 999999"):
        replay(server, path, interview=999999, token=alices)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_finished_interview_is_refused_with_the_servers_reason(server, interview, tmp_path):
    interview_transition(interview=interview, to="cancelled")
    path, _ = reconnect_slice(tmp_path)
    with pytest.raises(CommandError, match="409"):
        replay(server, path, interview=interview.pk)
