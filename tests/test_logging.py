"""Logs: one line per event, in UTC, without third-party progress chatter."""

from __future__ import annotations

import io
import logging
import logging.config
import time

import pytest
from django.conf import settings


@pytest.fixture
def configured():
    """The project's LOGGING applied, and the test runner's restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.config.dictConfig(settings.LOGGING)
    yield
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def handlers_for(name: str) -> list[logging.Handler]:
    """Every handler a record of logger `name` reaches (as logging.callHandlers)."""
    found, logger = [], logging.getLogger(name)
    while logger:
        found += logger.handlers
        if not logger.propagate:
            break
        logger = logger.parent
    return [h for h in found if not type(h).__module__.startswith("_pytest")]


def test_a_request_warning_is_written_once(configured, settings):
    settings.DEBUG = True
    assert len(handlers_for("django.request")) == 1
    assert len(handlers_for("interviews.analysis.runner")) == 1
    assert len(handlers_for("daphne.server")) == 1


def test_times_are_utc_whatever_the_local_time_zone(configured, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Madrid")
    time.tzset()
    try:
        (handler,) = handlers_for("django.request")
        stream = io.StringIO()
        handler.setStream(stream)
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hello", None, None)
        record.created = 1_764_756_000.5  # 2025-12-03T10:00:00.500Z, 11:00 in Madrid
        record.msecs = 500
        handler.handle(record)
        assert stream.getvalue() == "2025-12-03T10:00:00.500Z WARNING x hello\n"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_third_party_progress_is_below_info(configured):
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
    assert logging.getLogger("interviews").isEnabledFor(logging.INFO)
