"""The Celery application for analysis workers (`ANALYSIS_WORKERS=celery`).

    celery -A interview_companion.celery worker --pool=threads --concurrency=16

Imported only where Celery is used (the worker, and the servers when analysis
runs on workers): the embedded default never loads it.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interview_companion.settings")

app = Celery("interview_companion")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["interviews.analysis"])
