"""Analysis as Celery tasks (`ANALYSIS_WORKERS=celery`): the same interview pass as
the in-process runner (claim, loop over pending answers, commit), run by worker
processes on any machine that reaches PostgreSQL and Redis.

A server's ingest wakes an interview with `analysis_enqueue` (at most one pass
queued per interview: a Redis key set with NX); a pass that leaves an answer open
queues itself again for when it may be complete; a pass whose providers all
failed is retried with exponential backoff. Every worker also scans the database
now and then (`scan_forever`), so work committed while no task was queued (a lost
task, a crash) is found: the database is the source of truth, as in process.
"""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections, connection

from interviews.analysis.quota import broker_redis
from interviews.analysis.runner import analysis_due_ids, interview_pass
from interviews.scorecards.services import scorecards_generate_due

logger = logging.getLogger(__name__)

# A queued pass's marker outlives its countdown; if its task was lost, the marker
# expires and the next scan queues the interview again.
QUEUED_TTL_SECONDS = 60
RETRY_BACKOFF_MAX_SECONDS = 60


def _queued_key(interview_id: int, later: bool) -> str:
    return f"ic:analysis:{'later' if later else 'queued'}:{interview_id}"


def analysis_wake(interview_id: int, open_answer: tuple[int, ...] = ()) -> None:
    """The servers' wake-up listener: queue a pass (at once, also for an answer
    still open: the worker's pass then marks when it was first seen). Never fails
    the ingest that called it (after its commit): with Redis unreachable, a
    worker's scan finds the work once it is back."""
    try:
        analysis_enqueue(interview_id)
    except Exception as exc:
        logger.warning("Could not queue the analysis of interview %s: %r", interview_id, exc)


def analysis_enqueue(interview_id: int, countdown: float = 0.0) -> bool:
    """Queue a pass over this interview unless one is queued already.

    A pass due now and a look later (an answer still open) are queued apart: the
    look later must not hold back the pass that an answer's end asks for now.
    """
    later = countdown > 0
    ttl = QUEUED_TTL_SECONDS + int(countdown)
    if not broker_redis().set(_queued_key(interview_id, later), 1, nx=True, ex=ttl):
        return False
    analyse_interview.apply_async((interview_id, later), countdown=countdown or None)
    return True


@shared_task(bind=True, name="analysis.interview_pass", max_retries=None)
def analyse_interview(self, interview_id: int, later: bool = False) -> int:
    # From now on a wake-up queues another pass: it may bring chunks this one misses.
    broker_redis().delete(_queued_key(interview_id, later))
    close_old_connections()
    try:
        result = interview_pass(interview_id)
        if result.finished and result.retry_in is None:
            scorecards_generate_due(interview_id)
    finally:
        connection.close()
    if result.failed:
        # Every provider failed: back off (1, 2, 4 ... 60 s), as often as it takes;
        # the chunks stay pending meanwhile, and nothing is half written.
        raise self.retry(countdown=min(RETRY_BACKOFF_MAX_SECONDS, 2**self.request.retries))
    if result.retry_in is not None:
        analysis_enqueue(interview_id, countdown=result.retry_in)
    return result.committed


def scan_once() -> list[int]:
    """Queue every interview with analysis due; write the scorecards that are due."""
    close_old_connections()
    try:
        ids = analysis_due_ids()
        for interview_id in ids:
            analysis_enqueue(interview_id)
        scorecards_generate_due()
        return ids
    finally:
        connection.close()


scan_stop = threading.Event()  # set to end `scan_forever` (tests)


def scan_forever() -> None:
    while not scan_stop.is_set():
        try:
            scan_once()
        except Exception:  # keep scanning
            logger.exception("Analysis scan failed")
        scan_stop.wait(settings.ANALYSIS_POLL_SECONDS)


@worker_ready.connect
def _start_scanning(**_kwargs) -> None:
    threading.Thread(target=scan_forever, name="analysis-scan", daemon=True).start()
