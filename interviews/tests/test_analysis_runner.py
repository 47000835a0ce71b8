"""Exactly once, in order: the analysis runner under crashes and races."""

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
from interviews.tests.deepgram_messages import results


class CountingProvider:
    """A deterministic provider that records what it was asked, in order."""

    name = "counting"

    def __init__(self, delay: float = 0.0) -> None:
        self.seen: list[int] = []
        self.delay = delay
        self.lock = threading.Lock()

    async def analyze_chunk(self, context):
        import asyncio

        await asyncio.sleep(self.delay)
        with self.lock:
            self.seen.append(context.chunk.transcript_id)
        count = context.state.get("count", 0) + 1
        insights = []
        if context.chunk.role == "guest":
            insights.append(
                InsightDraft(
                    type="note",
                    severity="info",
                    content=f"answer {count}",
                    evidence=context.chunk.text,
                )
            )
        return ChunkAnalysis(
            insights=insights, state={**context.state, "count": count, "scores": {"technical": 5}}
        )

    async def detect_roles(self, utterances, language, people=None):
        return RolesGuess(host="speaker_1", guest="speaker_0", confidence=90)

    async def generate_scorecard(self, context):
        raise NotImplementedError


def feed(interview, n=6):
    messages = []
    for i in range(n):
        speaker = 1 if i % 2 == 0 else 0
        text = f"¿Pregunta número {i}?" if speaker == 1 else f"Respuesta número {i}."
        messages.append(results(text, start=float(i * 5), speaker=speaker))
    transcript_ingest(interview=interview, results=messages)


@pytest.mark.django_db
def test_every_final_chunk_is_analysed_once_in_order(live_interview):
    feed(live_interview)
    provider = CountingProvider()
    done = analyze_interview(live_interview.pk, providers=[provider])
    chunks = list(Transcript.objects.filter(interview=live_interview).chronological())
    assert done == 6
    assert provider.seen == [c.pk for c in chunks]
    assert all(c.analyzed_at for c in Transcript.objects.filter(interview=live_interview))
    assert AIInsight.objects.filter(interview=live_interview).count() == 3
    live_interview.refresh_from_db()
    assert live_interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert live_interview.ai_provider == "counting"
    assert live_interview.analysis_state["count"] == 6
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
    chunks = [c.pk for c in Transcript.objects.chronological()]
    assert provider.seen == chunks


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
            interview_id=live_interview.pk, transcript_id=first.pk, analysis=analysis, provider="p"
        )
    assert AIInsight.objects.count() == 0
    assert Transcript.objects.pending_analysis().count() == 2
    provider = CountingProvider()
    assert analyze_interview(live_interview.pk, providers=[provider]) == 2


@pytest.mark.django_db
def test_an_out_of_order_or_repeated_commit_is_refused(live_interview):
    from interviews.analysis.services import chunk_analysis_commit

    feed(live_interview, n=3)
    first, second, _third = Transcript.objects.chronological()
    analysis = ChunkAnalysis(insights=[InsightDraft(type="note", content="x")], state={})
    assert (
        chunk_analysis_commit(
            interview_id=live_interview.pk, transcript_id=second.pk, analysis=analysis, provider="p"
        )
        is None
    )
    assert chunk_analysis_commit(
        interview_id=live_interview.pk, transcript_id=first.pk, analysis=analysis, provider="p"
    )
    assert (
        chunk_analysis_commit(
            interview_id=live_interview.pk, transcript_id=first.pk, analysis=analysis, provider="p"
        )
        is None
    )
    assert AIInsight.objects.count() == 1


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
    chunks = [c.pk for c in Transcript.objects.filter(interview=live_interview).chronological()]
    assert Transcript.objects.pending_analysis().count() == 0
    # Each chunk's insights exist exactly once, whatever the interleaving.
    per_chunk = list(
        AIInsight.objects.filter(interview=live_interview).values_list("transcript_id", flat=True)
    )
    assert sorted(per_chunk) == sorted(set(per_chunk))
    assert len(per_chunk) == 5
    # The claim made the provider see each chunk once, in order.
    assert provider.seen == chunks


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
