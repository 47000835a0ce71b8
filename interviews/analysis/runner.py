"""The analysis runner: finds pending work in the database and does it.

Per interview, three steps (`interview_pass`):

1. **A claim**: a PostgreSQL advisory lock per interview (released by the server if
   the process dies; an in-process lock on SQLite). One worker at a time per
   interview, so its answers are analysed in order.
2. **A loop over pending work**, oldest first (`next_work`): the interviewer's turn,
   checked with the built-in rules (no model round trip); the candidate's answer,
   once complete (Deepgram's `speech_final` or `UtteranceEnd`, a change of speaker,
   or a quiet gap), in ONE model call with the question before it; a long answer
   still going gets a provisional analysis of what was said so far, at most every
   `ANALYSIS_PROVISIONAL_SECONDS`; a third voice is passed over.
3. **A commit** per piece of work: `chunk_analysis_commit` writes its insights
   together with the progress markers of all its chunks, and refuses chunks already
   analysed or out of order. So with any number of processes and after a crash,
   every final chunk is analysed exactly once, in order.

Across interviews the work is concurrent: `BackgroundRunner` (one per server
process, the embedded default) runs up to `AI_CONCURRENCY` interviews at once, each
pass in a worker thread of its own, so a slow model holds one interview's thread,
never the event loop that serves ingest and the websocket feed, nor the other
interviews.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q

from interviews.analysis.base import ROLE_TURNS, ChunkAnalysis, ChunkContext, People, Utterance
from interviews.analysis.builtin import protected_question_insights
from interviews.analysis.chain import AllProvidersFailed, call_with_failover, configured_providers
from interviews.analysis.quota import broker_redis, model_request_permit
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
# Pending rows read per step: far more than one answer; an answer longer than this
# (a backlog after an outage) is analysed in parts of this size.
PENDING_WINDOW = 200
# An interim row not finalised this long after we first saw it is a leftover (a
# dropped connection), not someone still speaking.
STALE_INTERIM_SECONDS = 10.0
# When another process holds an interview's claim, look again this soon: it may be
# just letting go of it with our new chunk unseen.
CLAIM_RETRY_SECONDS = 1.0

_thread_loop = threading.local()


def run_async(coroutine):
    """Run a provider call on this worker thread's own event loop, kept for the
    thread's life (not `asyncio.run`'s new loop per call): the SDK clients and their
    open connections to the provider are per loop, so they are reused."""
    loop = getattr(_thread_loop, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_loop.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)


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


# --- When an answer is complete ----------------------------------------------
#
# A quiet gap is measured from when analysis first saw a chunk, not from the row's
# timestamp: a row is stamped when its first interim arrived, seconds before its
# final, so the timestamp would call every final "quiet" on arrival. In process
# "first seen" is this process's memory; on Celery workers it is kept in Redis, so
# a look later that lands on another worker does not start the gap again (and
# provisional analyses stay spaced whichever worker makes them). Wall-clock time,
# comparable between machines.

_first_seen: dict[int, float] = {}
_last_provisional: dict[int, float] = {}
_seen_lock = threading.Lock()
_SEEN_KEEP_SECONDS = 600


def _shared() -> bool:
    return settings.ANALYSIS_WORKERS == "celery"


def _seen(transcript_id: int, now: float) -> float:
    if _shared():
        key = f"ic:analysis:seen:{transcript_id}"
        pipe = broker_redis().pipeline()
        pipe.set(key, now, nx=True, ex=_SEEN_KEEP_SECONDS)
        pipe.get(key)
        _set, at = pipe.execute()
        return float(at)
    with _seen_lock:
        if len(_first_seen) > 50_000:  # chunks committed by other processes
            for pk, at in list(_first_seen.items()):
                if now - at > _SEEN_KEEP_SECONDS:
                    del _first_seen[pk]
        return _first_seen.setdefault(transcript_id, now)


def _forget(transcript_ids: list[int]) -> None:
    if _shared():
        broker_redis().delete(*[f"ic:analysis:seen:{pk}" for pk in transcript_ids])
        return
    with _seen_lock:
        for pk in transcript_ids:
            _first_seen.pop(pk, None)


def _provisional_at(interview_id: int) -> float:
    if _shared():
        return float(broker_redis().get(f"ic:analysis:provisional:{interview_id}") or 0.0)
    return _last_provisional.get(interview_id, 0.0)


def _provisional_done(interview_id: int, at: float | None) -> None:
    """Record a provisional analysis (at `at`), or the answer's end (None)."""
    key = f"ic:analysis:provisional:{interview_id}"
    if _shared():
        if at is None:
            broker_redis().delete(key)
        else:
            broker_redis().set(key, at, ex=_SEEN_KEEP_SECONDS)
    elif at is None:
        _last_provisional.pop(interview_id, None)
    else:
        _last_provisional[interview_id] = at


@dataclass
class Work:
    """One piece of an interview's pending work: consecutive chunks of one role."""

    kind: str  # "answer" (the guest), "host" (the interviewer), "other" (a third voice)
    rows: list[Transcript]
    provisional: bool = False  # an answer still going, analysed so far
    behind: int = 0  # complete answers waiting after this one

    @property
    def ids(self) -> list[int]:
        return [row.pk for row in self.rows]


def _answers_in(rows: list[Transcript], interview: Interview) -> int:
    """How many candidate answers (guest runs) the rows hold."""
    runs, previous = 0, None
    for row in rows:
        role = interview.role_of(row.speaker)
        if role == SpeakerRole.GUEST and previous != SpeakerRole.GUEST:
            runs += 1
        previous = role
    return runs


def next_work(
    interview: Interview,
    rows: list[Transcript],
    *,
    now: float,
    interims: Sequence[Transcript] | Callable[[], Sequence[Transcript]] = (),
    drain: bool = False,
    provisional: bool = True,
) -> Work | float:
    """The oldest piece of pending work in `rows` (the interview's oldest pending
    final chunks, in order), or, when that is an answer still going, the seconds
    until it may be complete.

    `interims` are the interview's interim rows: someone is speaking. The
    candidate's own mean the answer goes on (not quiet, whatever the gap);
    anyone else's mean it is over (a callable is asked only when an answer's end
    depends on them). `drain` takes every answer as complete (the interview is
    over). `provisional=False` (the runner is saturated) leaves a
    long answer for when it is complete: other interviews' finished answers go
    first."""
    role = interview.role_of(rows[0].speaker)
    run = []
    for row in rows:
        if interview.role_of(row.speaker) != role:
            break
        run.append(row)
    if role == SpeakerRole.HOST:
        return Work("host", run)
    if role != SpeakerRole.GUEST:
        return Work("other", run)
    # An answer ends at the first speech_final in it, however many of the chunks
    # after it had arrived by this pass: the same transcript is cut into the same
    # answers whether it came in one batch or at a speaker's pace.
    for index, row in enumerate(run):
        if row.speech_final:
            run = run[: index + 1]
            break
    behind = _answers_in(rows[len(run) :], interview)
    followed = len(run) < len(rows) or len(run) >= PENDING_WINDOW
    if drain or followed or run[-1].speech_final:
        return Work("answer", run, behind=behind)
    last = (run[-1].timestamp, run[-1].pk)
    speaking = {
        interview.role_of(row.speaker)
        for row in (interims() if callable(interims) else interims)
        if (row.timestamp, row.pk) > last and now - _seen(row.pk, now) < STALE_INTERIM_SECONDS
    }
    if speaking - {role}:  # someone else speaks: the answer is over
        return Work("answer", run, behind=behind)
    gap = settings.ANALYSIS_ANSWER_GAP_SECONDS
    quiet_for = 0.0 if speaking else now - _seen(run[-1].pk, now)
    if quiet_for >= gap:
        return Work("answer", run, behind=behind)
    every = settings.ANALYSIS_PROVISIONAL_SECONDS
    open_for = now - max(_seen(run[0].pk, now), _provisional_at(interview.pk))
    if provisional and open_for >= every:
        return Work("answer", run, provisional=True, behind=behind)
    if not provisional:
        return max(0.05, gap - quiet_for)
    return max(0.05, min(gap - quiet_for, every - open_for))


# --- What a provider is given ----------------------------------------------------


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


def _detect_roles(interview: Interview, providers) -> bool:
    """Guess who asks the questions from the transcript so far, and store the
    guess when it changed (`interview_set_roles` supersedes what was analysed
    under the old roles); True when it stored one. Roles a person set are never
    second-guessed.

    Detection never claims certainty: 100 means a person set the roles.
    """
    if interview.roles_assigned and (interview.roles_confidence or 0) >= 100:
        return False
    final = Transcript.objects.final().filter(interview=interview).chronological()
    # Asked again when a turn ends (another voice starts), up to the turns a guess
    # reads, and once more when the interview ends: at most ROLE_TURNS + 1 calls to
    # a paid model, and the last guess always reads the same turns however the
    # chunks arrived.
    voices = [v for v in final.values_list("speaker", flat=True)[:ROLE_SAMPLE] if v]
    ended_turns = sum(1 for a, b in itertools.pairwise(voices) if a != b)
    seen = (interview.created_at, min(ended_turns, ROLE_TURNS), interview.is_finished)
    if _roles_seen.get(interview.pk) == seen:
        return False
    rows = list(final[:ROLE_SAMPLE])
    speakers = {r.speaker for r in rows if r.speaker}
    if len(speakers) < 2:
        return False
    utterances = [_utterance(r) for r in rows]
    _permit(providers)
    people = people_of(interview)
    guess, _provider = run_async(
        call_with_failover(
            lambda p: p.detect_roles(utterances, interview.language or "es", people),
            lambda g: validate_roles(g, speakers),
            providers,
        )
    )
    _roles_seen[interview.pk] = seen
    if guess is None:
        return False
    confidence = min(guess.confidence, DETECTED_CONFIDENCE_MAX)
    roles = {SpeakerRole.HOST: guess.host, SpeakerRole.GUEST: guess.guest}
    if (
        interview.roles_assigned
        and interview.roles == roles
        and (interview.roles_confidence == confidence)
    ):
        return False
    interview_set_roles(
        interview=interview, host=guess.host, guest=guess.guest, confidence=confidence
    )
    return True


def roles_settled(interview: Interview) -> bool:
    """Analysis waits until the roles are known well enough: set by a person, guessed
    with confidence, or guessed on enough speech that waiting longer will not help.
    An early guess (the candidate greeting with a question) is revisited meanwhile."""
    if not interview.roles_assigned:
        return False
    if (interview.roles_confidence or 0) >= ROLE_CONFIDENT or interview.is_finished:
        return True
    return Transcript.objects.final().filter(interview=interview).count() >= ROLE_DECIDE_AFTER


def _question_before(first: Transcript) -> str | None:
    """The host's words before the answer `first` belongs to (skipping the part of
    the answer analysed provisionally already)."""
    previous = list(
        Transcript.objects.final()
        .filter(interview_id=first.interview_id)
        .filter(Q(timestamp__lt=first.timestamp) | Q(timestamp=first.timestamp, pk__lt=first.pk))
        .order_by("-timestamp", "-id")
        .values_list("speaker_role", "text")[: QUESTION_WINDOW * 4]
    )
    host_lines: list[str] = []
    for role, text in previous:
        if role == SpeakerRole.HOST:
            host_lines.append(text)
            if len(host_lines) >= QUESTION_WINDOW:
                break
        elif host_lines:
            break  # the candidate spoke before this question
    return " ".join(reversed(host_lines)) or None


def _context(interview: Interview, utterance: Utterance, question: str | None, state: dict):
    return ChunkContext(
        interview_id=interview.pk,
        language=interview.language or "es",
        chunk=utterance,
        question=question,
        requirements=(interview.job_position.requirements or {}) if interview.job_position else {},
        cv_data=interview.candidate.cv_data or {},
        state=state,
        candidate_name=interview.candidate.name,
        interviewer_name=interview.interviewer.name or "",
    )


def _permit(providers) -> None:
    """A model's quota (AI_REQUESTS_PER_MINUTE); the built-in rules have none."""
    if providers and providers[0].name != "builtin":
        model_request_permit()


def analyse_answer(interview: Interview, work: Work, providers) -> tuple[ChunkAnalysis, str]:
    """One model call for the whole answer, with the question before it."""
    rows = work.rows
    text = " ".join(row.text for row in rows)
    utterance = Utterance(
        transcript_id=rows[0].pk,
        speaker=rows[0].speaker,
        role=SpeakerRole.GUEST,
        text=text,
        start_ms=rows[0].start_ms,
        end_ms=rows[-1].end_ms,
    )
    question = _question_before(rows[0])
    context = _context(interview, utterance, question, interview.analysis_state or {})
    sources = [text, *([question] if question else [])]
    _permit(providers)
    return run_async(
        call_with_failover(
            lambda p: p.analyze_chunk(context),
            lambda a: validate_chunk_analysis(a, sources),
            providers,
        )
    )


def _host_turn_before(first: Transcript) -> str:
    """The interviewer's earlier chunks of the same turn, analysed already: a
    question split across chunks ("¿cuántos" / "años tenés?") is read whole."""
    lines: list[str] = []
    rows = (
        Transcript.objects.final()
        .filter(interview_id=first.interview_id)
        .filter(Q(timestamp__lt=first.timestamp) | Q(timestamp=first.timestamp, pk__lt=first.pk))
        .order_by("-timestamp", "-id")
        .values_list("speaker_role", "text")[:QUESTION_WINDOW]
    )
    for role, text in rows:
        if role != SpeakerRole.HOST:
            break
        lines.append(text)
    return " ".join(reversed(lines))


def _host_analysis(interview: Interview, rows: list[Transcript], text: str, state: dict, providers):
    utterance = Utterance(
        transcript_id=rows[-1].pk,
        speaker=rows[0].speaker,
        role=SpeakerRole.HOST,
        text=text,
        start_ms=rows[0].start_ms,
        end_ms=rows[-1].end_ms,
    )
    context = _context(interview, utterance, None, state)
    if bool(providers) and providers[0].name == "builtin":
        return run_async(
            call_with_failover(
                lambda p: p.analyze_chunk(context),
                lambda a: validate_chunk_analysis(a, [text]),
                providers[:1],
            )
        )
    analysis = validate_chunk_analysis(
        ChunkAnalysis(insights=protected_question_insights(context), state=state), [text]
    )
    return analysis, interview.ai_provider or ""


def analyse_host_turn(interview: Interview, work: Work, providers) -> tuple[ChunkAnalysis, str]:
    """The interviewer's turn: protected-ground questions, by the built-in rules.

    Read with the turn's earlier chunks (analysed already, when the turn arrived in
    pieces), and raising only what those did not raise alone. With the built-in
    provider first in the chain the whole built-in host analysis runs (it keeps its
    own state: the open question, requirements covered); with a model the state is
    left as the model wrote it, and the turn reaches the model only as the question
    of the next answer.
    """
    rows = work.rows
    state = interview.analysis_state or {}
    text = " ".join(row.text for row in rows)
    before = _host_turn_before(rows[0])
    if not before:
        return _host_analysis(interview, rows, text, state, providers)
    analysis, provider = _host_analysis(interview, rows, f"{before} {text}", state, providers)
    earlier, _ = _host_analysis(interview, rows, before, state, providers)
    raised = {(i.type, i.topic, i.content) for i in earlier.insights}
    fresh = [i for i in analysis.insights if (i.type, i.topic, i.content) not in raised]
    return ChunkAnalysis(insights=fresh, state=analysis.state), provider


# --- One interview's pass: claim, loop, commit --------------------------------


@dataclass
class PassResult:
    committed: int = 0  # chunks committed by this pass
    retry_in: float | None = None  # an answer still open: look again after this long
    finished: bool = False  # the interview is over (its scorecard may be due)
    failed: bool = False  # every provider failed: the work is left pending


def interview_pass(
    interview_id: int, providers=None, *, drain: bool = False, provisional: bool = True
) -> PassResult:
    """Analyse an interview's pending work in order, as far as it is complete
    (and a long answer so far, unless `provisional=False`)."""
    providers = providers if providers is not None else configured_providers()
    result = PassResult()
    with claim(interview_id) as got:
        if not got:
            if Transcript.objects.pending_analysis().filter(interview_id=interview_id).exists():
                result.retry_in = CLAIM_RETRY_SECONDS
            return result
        # The interview and its pending rows are read once and worked through in
        # memory (the commit refuses anything stale, and a refusal reads both
        # again); the rows are read again only when a full window was used up.
        # Rows committed after the read woke the runner themselves (ingest's
        # wake-up: a pass under way goes again when it ends; a worker's task finds
        # the claim taken and retries). Every query saved here is saved on every
        # answer of every live interview.
        interview: Interview | None = None
        rows: list[Transcript] = []
        more = True  # rows may be pending beyond those read
        while True:
            if interview is None:
                interview = _interview_for_pass(interview_id, providers)
                if interview is None:
                    return result
                result.finished = interview.is_finished
                if not _may_analyse(interview):
                    return result
                rows, more = [], True
            if not rows:
                if not more:
                    return result
                rows = list(
                    Transcript.objects.pending_analysis()
                    .filter(interview_id=interview_id)
                    .chronological()[:PENDING_WINDOW]
                )
                more = len(rows) == PENDING_WINDOW
                if not rows:
                    return result
            work = next_work(
                interview,
                rows,
                now=time.time(),
                interims=partial(_interims_from, interview_id, rows[0].timestamp),
                drain=drain or interview.is_finished,
                provisional=provisional,
            )
            if not isinstance(work, Work):
                result.retry_in = work
                return result
            try:
                analysis, provider = _analyse(interview, work, providers)
            except AllProvidersFailed as exc:
                logger.error("Analysis of chunks %s failed on every provider: %s", work.ids, exc)
                result.failed = True
                result.retry_in = settings.ANALYSIS_POLL_SECONDS  # left pending
                return result
            committed = chunk_analysis_commit(
                interview_id=interview_id,
                transcript_ids=work.ids,
                analysis=analysis,
                provider=provider,
                # The live page says so from ANALYSIS_BEHIND_AT answers waiting.
                behind=(work.behind if work.behind >= settings.ANALYSIS_BEHIND_AT else 0)
                if work.kind == "answer"
                else None,
                # Refused if the roles changed while the model was thinking: the
                # chunks are analysed again under the new ones.
                roles=interview.roles or {},
            )
            if committed is None:
                interview = None  # something changed meanwhile: read it all again
                continue
            result.committed += len(work.ids)
            _forget(work.ids)
            _provisional_done(interview_id, time.time() if work.provisional else None)
            # What the commit wrote to the interview's row, without reading it back.
            interview.analysis_state = analysis.state
            interview.ai_provider = provider
            rows = rows[len(work.rows) :]


def _interview_for_pass(interview_id: int, providers) -> Interview | None:
    """The interview with what analysis reads of it, roles revised first."""
    # get(), not first(): no ORDER BY to compile on every pass (a tenth of the
    # process's GIL time at 200 live interviews went to this query's compilation).
    try:
        interview = Interview.objects.select_related(
            "candidate", "job_position", "interviewer"
        ).get(pk=interview_id)
    except Interview.DoesNotExist:
        interview = None
    # Revised on every pass with new speech, not only until it settles: the guess
    # is a function of the transcript, so it ends the same however the chunks
    # arrived (bounded: see _detect_roles).
    if (
        interview is not None
        and not interview.recording_declined
        and _detect_roles(interview, providers)
    ):
        interview.refresh_from_db()
    return interview


def _may_analyse(interview: Interview) -> bool:
    if interview.recording_declined:
        # The candidate declined the notice: no AI reads this interview (rows
        # imported before they declined included).
        return False
    # Until the roles settle, there is not enough speech yet to tell who asks the
    # questions. A finished interview takes the best guess it has (or none: a
    # single voice is committed without analysis).
    return roles_settled(interview) or interview.is_finished


def _interims_from(interview_id: int, since) -> list[Transcript]:
    """Interim rows from `since` on: someone is speaking."""
    return list(
        Transcript.objects.filter(
            interview_id=interview_id, is_interim=True, timestamp__gte=since
        ).only("pk", "speaker", "timestamp")
    )


def _analyse(interview: Interview, work: Work, providers) -> tuple[ChunkAnalysis, str]:
    if work.kind == "answer":
        return analyse_answer(interview, work, providers)
    if work.kind == "host":
        return analyse_host_turn(interview, work, providers)
    # A third voice (or no diarisation): nothing to say about it.
    return ChunkAnalysis(insights=[], state=interview.analysis_state or {}), (
        interview.ai_provider or ""
    )


def analyze_interview(interview_id: int, providers=None, *, drain: bool = False) -> int:
    """One pass over an interview; returns how many chunks it committed."""
    return interview_pass(interview_id, providers, drain=drain).committed


def analysis_due_ids(interview_id: int | None = None) -> list[int]:
    """Interviews with pending chunks, or live with roles still to be guessed."""
    ids = pending_interview_ids([interview_id] if interview_id else None)
    unassigned = Interview.objects.filter(
        Q(roles_assigned=False) | Q(roles_confidence__lt=ROLE_CONFIDENT),
        status=InterviewStatus.LIVE,
        transcripts__is_interim=False,
    )
    if interview_id:
        unassigned = unassigned.filter(pk=interview_id)
    ids = sorted(set(ids) | set(unassigned.values_list("pk", flat=True).distinct()))
    # The candidate declined the notice: no AI reads those interviews.
    declined = set(
        Interview.objects.filter(pk__in=ids, notice_decision=NoticeDecision.DECLINED).values_list(
            "pk", flat=True
        )
    )
    return [pk for pk in ids if pk not in declined]


def analyze_pending(interview_id: int | None = None, *, drain: bool = False) -> int:
    """One pass over every interview with pending work (or just one), then the
    scorecards that became due. Answers of live interviews still open are left for
    a later pass, unless `drain`."""
    total = 0
    for pk in analysis_due_ids(interview_id):
        try:
            total += analyze_interview(pk, drain=drain)
        except Exception:  # one interview's failure must not stop others
            logger.exception("Analysis of interview %s failed", pk)
    scorecards_generate_due(interview_id)
    return total


# --- The in-process runner --------------------------------------------------------


def _pass_in_thread(interview_id: int, saturated: bool = False) -> PassResult:
    close_old_connections()
    try:
        result = interview_pass(interview_id, provisional=not saturated)
        if result.finished and result.retry_in is None:
            scorecards_generate_due(interview_id)
        return result
    finally:
        connection.close()


def _scan_in_thread() -> list[int]:
    close_old_connections()
    try:
        ids = analysis_due_ids()
        scorecards_generate_due()
        return ids
    finally:
        connection.close()


class BackgroundRunner:
    """Each server process runs one (unless analysis runs on workers elsewhere):
    woken by ingest in this process for one interview, and polling the database for
    work committed by any other process.

    Interviews run concurrently, at most `AI_CONCURRENCY` at once (the worker
    threads); one interview is never in two of them: a wake-up for an interview
    being analysed marks it to go again when its pass ends.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._poller: asyncio.Task | None = None
        self._running: set[int] = set()
        self._again: set[int] = set()
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._listening = False
        self.work = _pass_in_thread  # replaced in tests

    def ensure_started(self) -> None:
        if self._poller is not None and not self._poller.done():
            return
        self._loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=settings.AI_CONCURRENCY, thread_name_prefix="analysis"
            )
        if not self._listening:
            wakeup.listen(self._notify)
            self._listening = True
        self._poller = self._loop.create_task(self._poll(), name="analysis-poller")

    async def stop(self) -> None:
        """Stop polling and wait for the passes under way (tests, shutdown)."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        while self._running:
            await asyncio.sleep(0.01)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    @property
    def busy(self) -> bool:
        """A pass is under way or a look is scheduled (an answer still open)."""
        return bool(self._running or self._timers)

    def _notify(self, interview_id: int, open_answer: tuple[int, ...] = ()) -> None:
        if self._loop is not None and not self._loop.is_closed():
            if open_answer:
                self._loop.call_soon_threadsafe(self.look_later, interview_id, open_answer)
            else:
                self._loop.call_soon_threadsafe(self.submit, interview_id)

    def look_later(self, interview_id: int, open_answer: tuple[int, ...]) -> None:
        """New finals carry the candidate's answer on: look when it may be over (a
        quiet gap from now), not at once. A pass now would only find the answer
        still open; half the passes under load were such looks."""
        now = time.time()
        for pk in open_answer:
            _seen(pk, now)  # the quiet gap runs from now
        if interview_id in self._running:
            self._again.add(interview_id)
            return
        delay = settings.ANALYSIS_ANSWER_GAP_SECONDS
        timer = self._timers.get(interview_id)
        if timer is not None:
            if timer.when() <= self._loop.time() + delay:
                return  # already due to look by then
            timer.cancel()
        self._timers[interview_id] = self._loop.call_later(delay, self.submit, interview_id)

    def submit(self, interview_id: int) -> None:
        """Analyse this interview now (or right after its pass under way)."""
        timer = self._timers.pop(interview_id, None)
        if timer is not None:
            timer.cancel()
        if interview_id in self._running:
            self._again.add(interview_id)
            return
        self._running.add(interview_id)
        self._loop.create_task(self._pass(interview_id))

    async def _pass(self, interview_id: int) -> None:
        retry_in = None
        try:
            # Back-pressure: with every model slot taken, a long answer's provisional
            # analysis waits; finished answers (of any interview) go first.
            saturated = len(self._running) > settings.AI_CONCURRENCY
            result = await self._loop.run_in_executor(
                self._executor, self.work, interview_id, saturated
            )
            retry_in = result.retry_in
        except Exception:  # keep the runner alive; the poll brings it back
            logger.exception("Analysis of interview %s failed", interview_id)
        finally:
            self._running.discard(interview_id)
        if interview_id in self._again:
            self._again.discard(interview_id)
            self.submit(interview_id)
        elif retry_in is not None:
            self._timers[interview_id] = self._loop.call_later(retry_in, self.submit, interview_id)

    async def _poll(self) -> None:
        scan = sync_to_async(_scan_in_thread, thread_sensitive=False)
        while True:
            try:
                for interview_id in await scan():
                    # Not when already due to look again, nor under way: a pass reads
                    # the pending rows again before it ends.
                    if interview_id not in self._timers and interview_id not in self._running:
                        self.submit(interview_id)
            except Exception:  # keep the runner alive
                logger.exception("Analysis scan failed")
            await asyncio.sleep(settings.ANALYSIS_POLL_SECONDS)


runner = BackgroundRunner()
