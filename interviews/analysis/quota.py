"""The model provider's quota: at most `AI_REQUESTS_PER_MINUTE` model requests a
minute, across every analysis process when they share Redis (Celery workers), per
process otherwise.

Counted per calendar minute (a fixed window): a provider's quota is usually per
minute, and a window costs one Redis INCR per request. A caller over the limit
waits for the next minute, in its own worker thread: the other interviews' passes
(and, in a server, the event loop) go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings

WINDOW_SECONDS = 60

_local_lock = threading.Lock()
_local_window: list[int] = [0, 0]  # [window, requests in it]
_redis_client = None


def broker_redis():
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return _redis_client


def _count_local(window: int) -> int:
    with _local_lock:
        if _local_window[0] != window:
            _local_window[:] = [window, 0]
        _local_window[1] += 1
        return _local_window[1]


def _count_shared(window: int) -> int:
    key = f"ic:ai:requests:{window}"
    pipe = broker_redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS * 2)
    count, _ = pipe.execute()
    return count


def model_request_permit(
    *, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep
) -> float:
    """Wait until one more model request fits the quota; returns the seconds waited."""
    limit = settings.AI_REQUESTS_PER_MINUTE
    if limit <= 0:
        return 0.0
    shared = settings.ANALYSIS_WORKERS == "celery"
    waited = 0.0
    while True:
        now = clock()
        window = int(now // WINDOW_SECONDS)
        count = _count_shared(window) if shared else _count_local(window)
        if count <= limit:
            return waited
        pause = (window + 1) * WINDOW_SECONDS - now + 0.01
        sleep(pause)
        waited += pause
