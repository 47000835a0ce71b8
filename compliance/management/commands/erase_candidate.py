"""`manage.py erase_candidate <id>`: erasure on request, from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Candidate
from compliance.services import LegalHold, candidate_erase


class Command(BaseCommand):
    help = (
        "Erase a candidate, their interviews and everything under them, and their CV "
        "file; refused under legal hold. Leaves one audit entry (id and email SHA-256)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("candidate_id", type=int)

    def handle(self, *args, **options) -> None:
        candidate = Candidate.objects.filter(pk=options["candidate_id"]).first()
        if candidate is None:
            raise CommandError(f"No candidate {options['candidate_id']}.")
        try:
            event = candidate_erase(candidate=candidate)
        except LegalHold as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Candidate {event.candidate_id} erased; audit entry {event.pk} "
            f"(email sha256 {event.details['email_sha256'] or '-'})."
        )
