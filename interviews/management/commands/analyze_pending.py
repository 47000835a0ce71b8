from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from interviews.analysis.runner import analyze_pending
from interviews.models import Interview


class Command(BaseCommand):
    help = (
        "Analyse every pending final transcript chunk (the same work the server's "
        "background runner does). Safe beside running servers: work is claimed per "
        "interview and each chunk is committed exactly once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interview", type=int, help="Only this interview.")
        parser.add_argument(
            "--loop", action="store_true", help="Keep polling for new work until stopped."
        )

    def handle(self, *args, interview=None, loop=False, **options):
        if interview is not None and not Interview.objects.filter(pk=interview).exists():
            raise CommandError(f"Interview {interview} does not exist.")
        while True:
            done = analyze_pending(interview)
            if done or not loop:
                self.stdout.write(f"Analysed {done} chunk(s).")
            if not loop:
                return
            time.sleep(settings.ANALYSIS_POLL_SECONDS)
