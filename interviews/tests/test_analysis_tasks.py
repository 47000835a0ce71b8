"""Analysis on Celery workers (`ANALYSIS_WORKERS=celery`): a real worker (in a
thread of this process) on a real Redis on 127.0.0.1, against PostgreSQL."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

import interviews.analysis.quota as quota
import interviews.analysis.runner as runner_module
from interviews.analysis.base import ProviderError
from interviews.models import AIInsight, Transcript
from interviews.services import interview_set_roles
from interviews.tests.analysis_support import CountingProvider, answers, feed
from tests.servers import RedisServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def redis_server():
    # One server for the module: Celery keeps its connection pool to the broker.
    redis = RedisServer().start()
    yield redis
    redis.stop()


@pytest.fixture
def celery_app(settings, redis_server):
    from interview_companion.celery import app
    from interviews.analysis import tasks

    settings.ANALYSIS_WORKERS = "celery"
    settings.CELERY_BROKER_URL = redis_server.url
    app.conf.broker_url = redis_server.url
    quota._redis_client = None
    quota.broker_redis().flushdb()  # nothing queued or counted by an earlier test
    tasks.scan_stop.set()  # the worker's own scan is tested through scan_once
    try:
        yield app
    finally:
        quota._redis_client = None


def wait_until_analysed(interview, timeout=20.0) -> None:
    deadline = time.monotonic() + timeout
    while Transcript.objects.filter(interview=interview).pending_analysis().exists():
        assert time.monotonic() < deadline, "the worker did not analyse everything in time"
        time.sleep(0.05)


@pytest.fixture
def interview_with_speech(live_interview):
    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    feed(live_interview, n=8)
    return live_interview


def test_a_celery_worker_analyses_each_chunk_once_in_order(
    celery_app, interview_with_speech, monkeypatch
):
    from interviews.analysis.tasks import analysis_enqueue

    provider = CountingProvider(delay=0.02)
    monkeypatch.setattr(runner_module, "configured_providers", lambda: [provider])
    # A burst of ingest wakes the interview many times: one pass is queued.
    queued = [analysis_enqueue(interview_with_speech.pk) for _ in range(5)]
    assert queued == [True, False, False, False, False]
    with start_worker(celery_app, pool="threads", concurrency=4, perform_ping_check=False):
        wait_until_analysed(interview_with_speech)
        # More wake-ups after the work is done find nothing to do twice.
        analysis_enqueue(interview_with_speech.pk)
        time.sleep(0.5)
    assert provider.seen == answers(interview_with_speech)
    linked = list(
        AIInsight.objects.filter(interview=interview_with_speech).values_list(
            "transcript_id", flat=True
        )
    )
    assert sorted(linked) == answers(interview_with_speech)


def test_work_nobody_queued_is_found_by_the_workers_scan(
    celery_app, interview_with_speech, monkeypatch
):
    from interviews.analysis.tasks import scan_once

    provider = CountingProvider()
    monkeypatch.setattr(runner_module, "configured_providers", lambda: [provider])
    # The chunks were committed, then the server died before queuing anything.
    assert scan_once() == [interview_with_speech.pk]
    with start_worker(celery_app, pool="threads", concurrency=2, perform_ping_check=False):
        wait_until_analysed(interview_with_speech)
    assert provider.seen == answers(interview_with_speech)


class FailingFirst(CountingProvider):
    """Down for its first two calls (a provider outage), then well."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 2

    async def analyze_chunk(self, context):
        if self.failures:
            self.failures -= 1
            raise ProviderError("503 from the model")
        return await super().analyze_chunk(context)


def test_a_failing_provider_is_retried_with_backoff_and_nothing_is_lost(
    celery_app, interview_with_speech, monkeypatch
):
    from interviews.analysis.tasks import analysis_enqueue

    provider = FailingFirst()
    monkeypatch.setattr(runner_module, "configured_providers", lambda: [provider])
    started = time.monotonic()
    analysis_enqueue(interview_with_speech.pk)
    with start_worker(celery_app, pool="threads", concurrency=2, perform_ping_check=False):
        wait_until_analysed(interview_with_speech)
    # Retried after 1 s, then 2 s (the chain tries each provider twice per pass
    # only for invalid output; an error moves on at once).
    assert time.monotonic() - started >= 1.0
    assert provider.seen == answers(interview_with_speech)
    assert AIInsight.objects.filter(interview=interview_with_speech).count() == 4


def test_the_model_quota_is_shared_by_every_worker_through_redis(celery_app, settings):
    settings.AI_REQUESTS_PER_MINUTE = 3
    clock = [120.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    permits = [quota.model_request_permit(clock=lambda: clock[0], sleep=sleep) for _ in range(4)]
    assert permits[:3] == [0, 0, 0]
    assert permits[3] == pytest.approx(60.01)  # the fourth waits for the next minute
    # Another process counting in the same Redis sees the same minute's requests.
    quota._redis_client = None
    assert quota.model_request_permit(clock=lambda: clock[0], sleep=sleep) == 0
    assert quota.model_request_permit(clock=lambda: clock[0], sleep=sleep) == 0
    assert quota.model_request_permit(clock=lambda: clock[0], sleep=sleep) > 0


def test_when_a_chunk_was_first_seen_is_shared_by_the_workers(celery_app):
    from interviews.analysis.runner import _forget, _seen

    assert _seen(424242, 100.0) == 100.0
    quota._redis_client = None  # another worker, its own connection
    assert _seen(424242, 160.0) == 100.0  # the quiet gap goes on, not restarted
    _forget([424242])
    assert _seen(424242, 170.0) == 170.0
