"""`manage.py retention_run [--dry-run]`: delete what has outlived its purpose
(README, "Candidate rights"). Schedule it daily (cron or a systemd timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from compliance.services import retention_run


class Command(BaseCommand):
    help = (
        "Delete transcripts and insights past TRANSCRIPT_RETENTION_DAYS, candidates past "
        "CANDIDATE_RETENTION_DAYS and audit entries past AUDIT_RETENTION_DAYS (legal "
        "hold skips); --dry-run only says what would go."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing, print what would go"
        )

    def handle(self, *args, **options) -> None:
        report = retention_run(dry_run=options["dry_run"])
        for line in report.lines():
            self.stdout.write(line)
