"""The analysis runner: finds pending work in the database and does it.

Work is claimed per interview (a PostgreSQL advisory lock, released by the server
if the process dies; an in-process lock on SQLite), and each chunk's insights are
committed together with its progress marker by `chunk_analysis_commit`, which
refuses a chunk already analysed or out of order. So with any number of server
processes and `analyze_pending` commands, and after a crash, every final chunk is
analysed exactly once, in order.

The work itself is synchronous and runs in a worker thread: a slow provider holds
that thread, never the event loop that serves ingest and the websocket feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q

from interviews.analysis.base import ROLE_TURNS, ChunkAnalysis, ChunkContext, People, Utterance
from interviews.analysis.chain import AllProvidersFailed, call_with_failover, configured_providers
from interviews.analysis.services import chunk_analysis_commit
from interviews.analysis.validation import validate_chunk_analysis, validate_roles
from interviews.live import wakeup
from interviews.models import Interview, InterviewStatus, NoticeDecision, SpeakerRole, Transcript
from interviews.scorecards.services import scorecards_generate_due
from interviews.selectors import pending_interview_ids
from interviews.services import interview_set_roles

logger = logging.getLogger(__name__)

# Advisory lock namespace ("IC" in ASCII) so our keys cannot collide with others'.
ADVISORY_LOCK_CLASS = 0x4943
# Final rows a role guess reads: the detectors look at the first turns only (a
# turn is one speaker's consecutive rows), so this only bounds the query.
ROLE_SAMPLE = 240
# Analysis waits for a guess this confident, or this many final chunks; the guess
# is revised as speech comes in (the revision supersedes what was analysed under
# the old roles), and a person's choice (100) is never revised.
ROLE_CONFIDENT = 70
ROLE_DECIDE_AFTER = 16
DETECTED_CONFIDENCE_MAX = 99
# Role guesses already made, by interview, on how many final rows: a pass with no
# new speech does not ask the provider again. Only a cache: losing it (a restart)
# costs one more call, and gives the same answer for the same transcript.
_roles_seen: dict[int, tuple] = {}
# Host rows considered "the question" before an answer.
QUESTION_WINDOW = 6

_local_claims: set[int] = set()
_local_claims_lock = threading.Lock()


@contextlib.contextmanager
def claim(interview_id: int) -> Iterator[bool]:
    """Claim an interview's analysis; yields False if another worker holds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, interview_id]
            )
            (got,) = cursor.fetchone()
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, interview_id]
                    )
        return
    with _local_claims_lock:
        got = interview_id not in _local_claims
        _local_claims.add(interview_id)
    try:
        yield got
    finally:
        if got:
            with _local_claims_lock:
                _local_claims.discard(interview_id)


def _utterance(row: Transcript) -> Utterance:
    return Utterance(
        transcript_id=row.pk,
        speaker=row.speaker,
        role=row.speaker_role,
        text=row.text,
        start_ms=row.start_ms,
        end_ms=row.end_ms,
    )


def people_of(interview: Interview) -> People:
    return People(
        candidate_name=interview.candidate.name if interview.candidate_id else "",
        interviewer_name=(interview.interviewer.name or "") if interview.interviewer_id else "",
        cv_data=(interview.candidate.cv_data or {}) if interview.candidate_id else {},
    )


def _detect_roles(interview: Interview, providers) -> None:
    """Guess who asks the questions from the transcript so far, and store the
    guess when it changed (`interview_set_roles` supersedes what was analysed
    under the old roles). Roles a person set are never second-guessed.

    Detection never claims certainty: 100 means a person set the roles.
    """
    if interview.roles_assigned and (interview.roles_confidence or 0) >= 100:
        return
    final = Transcript.objects.final().filter(interview=interview).chronological()
    # Asked again when a turn ends (another voice starts), up to the turns a guess
    # reads, and once more when the interview ends: at most ROLE_TURNS + 1 calls to
    # a paid model, and the last guess always reads the same turns however the
    # chunks arrived.
    voices = [v for v in final.values_list("speaker", flat=True)[:ROLE_SAMPLE] if v]
    ended_turns = sum(1 for a, b in itertools.pairwise(voices) if a != b)
    seen = (interview.created_at, min(ended_turns, ROLE_TURNS), interview.is_finished)
    if _roles_seen.get(interview.pk) == seen:
        return
    rows = list(final[:ROLE_SAMPLE])
    speakers = {r.speaker for r in rows if r.speaker}
    if len(speakers) < 2:
        return
    utterances = [_utterance(r) for r in rows]
    people = people_of(interview)
    guess, _provider = asyncio.run(
        call_with_failover(
            lambda p: p.detect_roles(utterances, interview.language or "es", people),
            lambda g: validate_roles(g, speakers),
            providers,
        )
    )
    _roles_seen[interview.pk] = seen
    if guess is None:
        return
    confidence = min(guess.confidence, DETECTED_CONFIDENCE_MAX)
    roles = {SpeakerRole.HOST: guess.host, SpeakerRole.GUEST: guess.guest}
    if (
        interview.roles_assigned
        and interview.roles == roles
        and (interview.roles_confidence == confidence)
    ):
        return
    interview_set_roles(
        interview=interview, host=guess.host, guest=guess.guest, confidence=confidence
    )


def roles_settled(interview: Interview) -> bool:
    """Analysis waits until the roles are known well enough: set by a person, guessed
    with confidence, or guessed on enough speech that waiting longer will not help.
    An early guess (the candidate greeting with a question) is revisited meanwhile."""
    if not interview.roles_assigned:
        return False
    if (interview.roles_confidence or 0) >= ROLE_CONFIDENT or interview.is_finished:
        return True
    return Transcript.objects.final().filter(interview=interview).count() >= ROLE_DECIDE_AFTER


def _rows_before(chunk: Transcript, limit: int) -> list[tuple[str | None, str]]:
    """(role, text) of the final rows before this chunk, newest first. Rows of one
    ingest batch share a timestamp, so the id breaks the tie (never a later row)."""
    return list(
        Transcript.objects.final()
        .filter(interview_id=chunk.interview_id)
        .filter(Q(timestamp__lt=chunk.timestamp) | Q(timestamp=chunk.timestamp, pk__lt=chunk.pk))
        .order_by("-timestamp", "-id")
        .values_list("speaker_role", "text")[:limit]
    )


def _question_before(chunk: Transcript) -> str | None:
    """The host's words before the candidate's current turn: speech-to-text splits
    one answer into several chunks, and each of them answers the same question."""
    host_lines: list[str] = []
    for role, text in _rows_before(chunk, 2 * QUESTION_WINDOW):
        if role == SpeakerRole.HOST:
            host_lines.append(text)
            if len(host_lines) >= QUESTION_WINDOW:
                break
        elif host_lines:
            break
        # else: an earlier chunk of this same answer; keep walking back.
    return " ".join(reversed(host_lines)) or None


def _host_turn_before(chunk: Transcript) -> str | None:
    """For a host chunk: the host's earlier chunks of the same turn, so a question
    split across two chunks ("¿cuántos" / "años tenés?") is still read whole."""
    lines: list[str] = []
    for role, text in _rows_before(chunk, QUESTION_WINDOW):
        if role != SpeakerRole.HOST:
            break
        lines.append(text)
    return " ".join(reversed(lines)) or None


def analyze_interview(interview_id: int, providers=None) -> int:
    """Analyse an interview's pending final chunks in order; returns how many were
    committed by this call."""
    providers = providers if providers is not None else configured_providers()
    done = 0
    with claim(interview_id) as got:
        if not got:
            return 0
        while True:
            interview = (
                Interview.objects.select_related("candidate", "job_position", "interviewer")
                .filter(pk=interview_id)
                .first()
            )
            if interview is None:
                return done
            if interview.recording_declined:
                # The candidate declined the notice: no AI reads this interview
                # (rows imported before they declined included).
                return done
            # Revised on every pass with new speech, not only until it settles: the
            # guess is a function of the transcript, so it ends the same however
            # the chunks arrived.
            _detect_roles(interview, providers)
            interview.refresh_from_db()
            if not roles_settled(interview) and not interview.is_finished:
                return done  # not enough speech yet to tell who asks the questions
            # A finished interview takes the best guess it has (or none: a single
            # voice is committed without analysis below).
            chunk = (
                Transcript.objects.pending_analysis()
                .filter(interview_id=interview_id)
                .chronological()
                .first()
            )
            if chunk is None:
                return done
            role = interview.role_of(chunk.speaker)
            if role is None:
                # A third voice (or no diarisation): nothing to say about it, but
                # it must not block the chunks after it.
                chunk_analysis_commit(
                    interview_id=interview_id,
                    transcript_id=chunk.pk,
                    analysis=ChunkAnalysis(insights=[], state=interview.analysis_state or {}),
                    provider=interview.ai_provider or "",
                )
                continue
            utterance = Utterance(
                transcript_id=chunk.pk,
                speaker=chunk.speaker,
                role=role,
                text=chunk.text,
                start_ms=chunk.start_ms,
                end_ms=chunk.end_ms,
            )
            question = (
                _question_before(chunk) if role == SpeakerRole.GUEST else _host_turn_before(chunk)
            )
            context = ChunkContext(
                interview_id=interview_id,
                language=interview.language or "es",
                chunk=utterance,
                question=question,
                requirements=(interview.job_position.requirements or {})
                if interview.job_position
                else {},
                cv_data=interview.candidate.cv_data or {},
                state=interview.analysis_state or {},
                candidate_name=interview.candidate.name,
                interviewer_name=interview.interviewer.name or "",
            )
            sources = [chunk.text, *([question] if question else [])]
            try:
                analysis, provider = asyncio.run(
                    call_with_failover(
                        lambda p, context=context: p.analyze_chunk(context),
                        lambda a, sources=sources: validate_chunk_analysis(a, sources),
                        providers,
                    )
                )
            except AllProvidersFailed as exc:
                logger.error("Analysis of chunk %s failed on every provider: %s", chunk.pk, exc)
                return done  # left pending: retried on the next pass
            if (
                chunk_analysis_commit(
                    interview_id=interview_id,
                    transcript_id=chunk.pk,
                    analysis=analysis,
                    provider=provider,
                    roles=interview.roles or {},
                )
                is not None
            ):
                done += 1


def analyze_pending(interview_id: int | None = None) -> int:
    """One pass over every interview with pending work (or just one)."""
    ids = pending_interview_ids([interview_id] if interview_id else None)
    unassigned = Interview.objects.filter(
        Q(roles_assigned=False) | Q(roles_confidence__lt=ROLE_CONFIDENT),
        status=InterviewStatus.LIVE,
        transcripts__is_interim=False,
    )
    if interview_id:
        unassigned = unassigned.filter(pk=interview_id)
    ids = sorted(set(ids) | set(unassigned.values_list("pk", flat=True).distinct()))
    declined = set(
        Interview.objects.filter(pk__in=ids, notice_decision=NoticeDecision.DECLINED).values_list(
            "pk", flat=True
        )
    )
    ids = [pk for pk in ids if pk not in declined]
    total = 0
    for pk in ids:
        try:
            total += analyze_interview(pk)
        except Exception:  # one interview's failure must not stop others
            logger.exception("Analysis of interview %s failed", pk)
    # Then the scorecards of completed interviews with nothing left to analyse.
    scorecards_generate_due(interview_id)
    return total


def _analyze_pending_in_thread(interview_id: int | None = None) -> int:
    close_old_connections()
    try:
        return analyze_pending(interview_id)
    finally:
        close_old_connections()
        connection.close()


class BackgroundRunner:
    """Each server process runs one: woken by ingest in this process, and polling
    the database for work committed by any other process."""

    def __init__(self) -> None:
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None

    def ensure_started(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        wakeup.listen(self._notify)
        self._task = self._loop.create_task(self._run(), name="analysis-runner")

    def _notify(self, interview_id: int) -> None:
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        work = sync_to_async(_analyze_pending_in_thread, thread_sensitive=False)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), settings.ANALYSIS_POLL_SECONDS)
            self._wake.clear()
            try:
                await work()
            except Exception:  # keep the runner alive
                logger.exception("Analysis pass failed")


runner = BackgroundRunner()
