"""The one interview clock, used by the detail page, the report and the CSV."""

from __future__ import annotations

import pytest

from interviews.presenters import clock


@pytest.mark.parametrize(
    ("offset_ms", "shown"),
    [
        (None, "00:00"),
        (-500, "00:00"),
        (999, "00:00"),
        (5_000, "00:05"),
        (303_000, "05:03"),
        (3_599_999, "59:59"),
        (3_600_000, "1:00:00"),
        (3_723_000, "1:02:03"),
    ],
)
def test_the_clock_reads_minutes_and_seconds_from_the_start(offset_ms, shown):
    assert clock(offset_ms) == shown
