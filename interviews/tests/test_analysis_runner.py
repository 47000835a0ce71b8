"""Exactly once, in order: the analysis runner under crashes and races, and many
interviews analysed at once."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from interviews.analysis.base import ChunkAnalysis, InsightDraft, RolesGuess
from interviews.analysis.runner import analyze_interview
from interviews.live.ingest import transcript_ingest
from interviews.models import AIInsight, Transcript
from interviews.services import interview_set_roles
from interviews.tests.analysis_support import CountingProvider, answers, feed
from interviews.tests.deepgram_messages import results


@pytest.mark.django_db
def test_every_final_chunk_is_analysed_once_in_order_and_only_answers_reach_the_model(
    live_interview,
):
    feed(live_interview)
    provider = CountingProvider()
    done = analyze_interview(live_interview.pk, providers=[provider])
    assert done == 6
    # The interviewer's questions are checked by the built-in rules, not the model.
    assert provider.seen == answers(live_interview)
    assert all(c.analyzed_at for c in Transcript.objects.filter(interview=live_interview))
    assert AIInsight.objects.filter(interview=live_interview).count() == 3
    live_interview.refresh_from_db()
    assert live_interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert live_interview.ai_provider == "counting"
    assert live_interview.analysis_state["count"] == 3
    # A second pass finds nothing to do.
    assert analyze_interview(live_interview.pk, providers=[provider]) == 0


@pytest.mark.django_db
def test_interim_rows_wait_for_their_final(live_interview):
    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    transcript_ingest(interview=live_interview, results=results("Estoy pensan", is_final=False))
    assert analyze_interview(live_interview.pk, providers=[CountingProvider()]) == 0
    transcript_ingest(interview=live_interview, results=results("Estoy pensando en ello."))
    assert analyze_interview(live_interview.pk, providers=[CountingProvider()]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_commit_and_analysis_is_recovered_by_analyze_pending(
    live_interview, monkeypatch
):
    import interviews.analysis.runner as runner_module

    # The chunks were committed, then the process died before analysing them:
    # nothing but the database remembers them.
    feed(live_interview, n=4)
    assert Transcript.objects.pending_analysis().count() == 4
    provider = CountingProvider()
    monkeypatch.setattr(runner_module, "configured_providers", lambda: [provider])
    call_command("analyze_pending", "--interview", str(live_interview.pk))
    call_command("analyze_pending")
    assert Transcript.objects.pending_analysis().count() == 0
    assert provider.seen == answers(live_interview)


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_provider_answered_commits_nothing_half_way(live_interview):
    """If the process dies before the commit, neither insights nor the marker exist,
    and the next pass analyses the chunk again, once."""
    from interviews.analysis.services import chunk_analysis_commit

    feed(live_interview, n=2)
    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    first = Transcript.objects.chronological().first()
    analysis = ChunkAnalysis(
        insights=[InsightDraft(type="note", content="x"), InsightDraft(type="bogus", content="y")],
        state={},
    )
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the bad type
        chunk_analysis_commit(
            interview_id=live_interview.pk,
            transcript_ids=[first.pk],
            analysis=analysis,
            provider="p",
        )
    assert AIInsight.objects.count() == 0
    assert Transcript.objects.pending_analysis().count() == 2
    provider = CountingProvider()
    assert analyze_interview(live_interview.pk, providers=[provider]) == 2


@pytest.mark.django_db
def test_an_out_of_order_or_repeated_commit_is_refused(live_interview):
    from interviews.analysis.services import chunk_analysis_commit

    feed(live_interview, n=3)
    first, second, third = Transcript.objects.chronological()
    analysis = ChunkAnalysis(insights=[InsightDraft(type="note", content="x")], state={})

    def commit(*rows):
        return chunk_analysis_commit(
            interview_id=live_interview.pk,
            transcript_ids=[r.pk for r in rows],
            analysis=analysis,
            provider="p",
        )

    assert commit(second) is None
    assert commit(first, third) is None  # a gap: the second is still pending
    assert commit(first, second)
    assert commit(first) is None
    assert commit(second, third) is None
    assert commit(third)
    assert AIInsight.objects.count() == 2
    assert Transcript.objects.pending_analysis().count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_analyse_each_chunk_once(live_interview):
    feed(live_interview, n=10)
    provider = CountingProvider(delay=0.01)
    errors = []

    def worker():
        try:
            for _ in range(3):
                analyze_interview(live_interview.pk, providers=[provider])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Transcript.objects.pending_analysis().count() == 0
    # Each chunk's insights exist exactly once, whatever the interleaving.
    per_chunk = list(
        AIInsight.objects.filter(interview=live_interview).values_list("transcript_id", flat=True)
    )
    assert sorted(per_chunk) == sorted(set(per_chunk))
    assert len(per_chunk) == 5
    # The claim made the model see each answer once, in order.
    assert provider.seen == answers(live_interview)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_without_the_claim_still_commit_each_chunk_once(live_interview, monkeypatch):
    """Even if two workers both analyse a chunk (a lost claim), only one commit lands."""
    import contextlib

    import interviews.analysis.runner as runner_module

    monkeypatch.setattr(runner_module, "claim", lambda _id: contextlib.nullcontext(True))
    feed(live_interview, n=8)
    provider = CountingProvider(delay=0.005)

    def worker():
        try:
            analyze_interview(live_interview.pk, providers=[provider])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    per_chunk = list(AIInsight.objects.values_list("transcript_id", flat=True))
    assert len(per_chunk) == 4 and len(set(per_chunk)) == 4
    assert Transcript.objects.pending_analysis().count() == 0


class UnsureProvider(CountingProvider):
    """Guesses the wrong way round, unsure, until it has heard six turns."""

    async def detect_roles(self, utterances, language, people=None):
        if len(utterances) < 6:
            return RolesGuess(host="speaker_0", guest="speaker_1", confidence=55)
        return RolesGuess(host="speaker_1", guest="speaker_0", confidence=85)


@pytest.mark.django_db
def test_an_unsure_early_role_guess_waits_for_more_speech_and_is_revisited(live_interview):
    provider = UnsureProvider()
    feed(live_interview, n=4)
    assert analyze_interview(live_interview.pk, providers=[provider]) == 0
    live_interview.refresh_from_db()
    assert live_interview.roles == {"host": "speaker_0", "guest": "speaker_1"}
    assert live_interview.roles_confidence == 55
    assert Transcript.objects.pending_analysis().count() == 4  # nothing analysed on a hunch

    transcript_ingest(
        interview=live_interview,
        results=[results("¿Algo más?", start=100.0, speaker=1), results("No.", start=105.0)],
    )
    assert analyze_interview(live_interview.pk, providers=[provider]) == 6
    live_interview.refresh_from_db()
    assert live_interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert set(Transcript.objects.values_list("speaker", "speaker_role")) == {
        ("speaker_1", "host"),
        ("speaker_0", "guest"),
    }


@pytest.mark.django_db
def test_a_person_setting_the_roles_is_never_second_guessed(live_interview):
    feed(live_interview, n=2)
    interview_set_roles(interview=live_interview, host="speaker_0", guest="speaker_1")
    assert analyze_interview(live_interview.pk, providers=[UnsureProvider()]) == 2
    live_interview.refresh_from_db()
    assert live_interview.roles == {"host": "speaker_0", "guest": "speaker_1"}


@pytest.mark.django_db
def test_a_finished_interview_takes_the_best_guess(live_interview):
    from interviews.services import interview_transition

    feed(live_interview, n=4)
    interview_transition(interview=live_interview, to="completed")
    assert analyze_interview(live_interview.pk, providers=[UnsureProvider()]) == 4


def _second_live_interview(alice):
    from interviews.services import interview_transition
    from tests.factories import InterviewFactory

    return interview_transition(interview=InterviewFactory(interviewer=alice), to="live", by=alice)


def _run_in_background(interview_ids, provider, monkeypatch, timeout=10.0) -> float:
    """The server's runner, submitted these interviews; seconds until all are done."""
    import asyncio
    import time

    import interviews.analysis.runner as runner_module

    monkeypatch.setattr(runner_module, "configured_providers", lambda: [provider])

    async def scenario() -> float:
        runner = runner_module.BackgroundRunner()
        runner.ensure_started()
        started = time.monotonic()
        for pk in interview_ids:
            runner.submit(pk)
        await asyncio.sleep(0.05)
        while runner.busy and time.monotonic() - started < timeout:
            await asyncio.sleep(0.01)
        elapsed = time.monotonic() - started
        await runner.stop()
        return elapsed

    return asyncio.run(scenario())


@pytest.mark.postgres  # SQLite's shared in-memory test database locks whole tables
@pytest.mark.django_db(transaction=True)
def test_two_interviews_with_a_slow_model_take_one_model_latency_not_two(
    live_interview, alice, monkeypatch
):
    latency = 0.8
    other = _second_live_interview(alice)
    for interview in (live_interview, other):
        interview_set_roles(interview=interview, host="speaker_1", guest="speaker_0")
        feed(interview, n=2)  # a question and its answer
    provider = CountingProvider(delay=latency)
    elapsed = _run_in_background([live_interview.pk, other.pk], provider, monkeypatch)
    assert Transcript.objects.pending_analysis().count() == 0
    assert sorted(provider.seen) == sorted(answers(live_interview) + answers(other))
    assert latency <= elapsed < 1.5 * latency


@pytest.mark.postgres  # SQLite's shared in-memory test database locks whole tables
@pytest.mark.django_db(transaction=True)
def test_concurrent_interviews_each_stay_in_order_and_exactly_once(
    live_interview, alice, monkeypatch, settings
):
    settings.AI_CONCURRENCY = 4
    interviews = [live_interview] + [_second_live_interview(alice) for _ in range(3)]
    for interview in interviews:
        interview_set_roles(interview=interview, host="speaker_1", guest="speaker_0")
        feed(interview, n=8)
    provider = CountingProvider(delay=0.05)
    _run_in_background([i.pk for i in interviews] * 2, provider, monkeypatch)
    assert Transcript.objects.pending_analysis().count() == 0
    for interview in interviews:
        mine = answers(interview)
        assert [pk for pk in provider.seen if pk in set(mine)] == mine
        linked = list(
            AIInsight.objects.filter(interview=interview).values_list("transcript_id", flat=True)
        )
        assert sorted(linked) == mine


@pytest.mark.django_db(transaction=True)
async def test_servers_run_no_analysis_when_it_runs_on_celery_workers(settings):
    from channels.testing import HttpCommunicator

    import interviews.analysis.runner as runner_module
    from interview_companion.asgi import application

    runner = runner_module.runner
    settings.ANALYSIS_IN_PROCESS = True
    settings.ANALYSIS_WORKERS = "celery"
    await HttpCommunicator(application, "GET", "/healthz").get_response(timeout=10)
    assert runner._poller is None
    # The embedded default, for contrast: the first request starts the runner.
    settings.ANALYSIS_WORKERS = "inprocess"
    await HttpCommunicator(application, "GET", "/healthz").get_response(timeout=10)
    assert runner._poller is not None
    await runner.stop()
    runner._poller = None


def test_a_wake_up_with_redis_unreachable_never_fails_the_ingest_that_called_it(settings):
    import socket

    import interviews.analysis.quota as quota
    from interviews.analysis.tasks import analysis_wake

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed}/0"
    quota._redis_client = None
    try:
        analysis_wake(1)  # logged, not raised: the workers' scan finds the work later
    finally:
        quota._redis_client = None


@pytest.mark.postgres  # SQLite's shared in-memory test database locks whole tables
@pytest.mark.django_db(transaction=True)
def test_a_final_that_carries_the_answer_on_is_looked_at_when_the_answer_may_be_over(
    live_interview, monkeypatch, settings
):
    """Ingest says the candidate's new final does not end the answer: the runner
    makes no pass at once (it would only find the answer open), and looks one
    quiet gap later, when the answer is analysed, the gap counted from the final."""
    import asyncio
    import time

    from asgiref.sync import sync_to_async

    import interviews.analysis.runner as runner_module

    settings.ANALYSIS_ANSWER_GAP_SECONDS = 0.6
    provider = CountingProvider()
    monkeypatch.setattr(runner_module, "configured_providers", lambda: [provider])
    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    ingest = sync_to_async(transcript_ingest, thread_sensitive=False)
    passes: list[float] = []

    def counted(interview_id, saturated=False):
        passes.append(time.monotonic())
        return runner_module._pass_in_thread(interview_id, saturated)

    async def scenario() -> tuple[float, float]:
        runner = runner_module.BackgroundRunner()
        runner.work = counted
        runner.ensure_started()
        try:
            await ingest(
                interview=live_interview,
                results=results("¿Qué hiciste con Kafka?", start=0.0, speaker=1),
            )
            while runner.busy:
                await asyncio.sleep(0.01)
            passes.clear()
            said = time.monotonic()
            await ingest(
                interview=live_interview,
                results=results(
                    "Migré los consumidores a Kafka.", start=3.0, speaker=0, speech_final=False
                ),
            )
            await asyncio.sleep(0.3)
            assert passes == []  # no look at an answer that is still open
            while not provider.seen and time.monotonic() - said < 5:
                await asyncio.sleep(0.01)
            return said, time.monotonic()
        finally:
            await runner.stop()

    said, analysed = asyncio.run(scenario())
    assert len(passes) == 1
    assert 0.55 <= analysed - said < 1.2  # one gap after the final, not two
    assert provider.seen == answers(live_interview)


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_answer_is_analysed_and_committed_in_fourteen_queries(
    live_interview, django_assert_max_num_queries
):
    """Every query here runs on every answer of every live interview: the claim and
    its release, the interview, its pending rows, the question before the answer,
    and the commit (lock, order check, markers, insights, state, events). The
    pending rows are not read again once a pass has used up fewer than a window."""
    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    question = "¿Me cuentas un proyecto del que estés orgulloso y qué hiciste tú?"
    transcript_ingest(interview=live_interview, results=results(question, speaker=1))
    analyze_interview(live_interview.pk)
    answer = (
        "Lideré la migración a Kubernetes de cuarenta servicios y bajé los costes "
        "un treinta por ciento en seis meses."
    )
    transcript_ingest(interview=live_interview, results=results(answer, start=10, speaker=0))
    with django_assert_max_num_queries(14):
        assert analyze_interview(live_interview.pk) == 1
    assert AIInsight.objects.filter(interview=live_interview, type="green-flag").exists()
