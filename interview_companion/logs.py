"""How every process logs: one line per event, times in UTC whatever TIME_ZONE says.

Django sets the process's local time zone to TIME_ZONE once settings load, so a
plain formatter wrote lines before that moment in UTC and lines after it in
Madrid time. Imports no app (the project's shared helpers never do).
"""

from __future__ import annotations

import logging
import time


class UTCFormatter(logging.Formatter):
    """`2026-12-03T09:26:56.649Z INFO name message`."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
