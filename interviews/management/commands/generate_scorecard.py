from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from interviews.models import Interview, ScorecardState
from interviews.scorecards.services import ScorecardError, scorecard_generate


class Command(BaseCommand):
    help = (
        "Generate (or regenerate in place) the scorecard of a completed interview with "
        "the configured AI providers. Notes, hand-adjusted scores and the interviewer's "
        "decision are kept; the replaced version stays readable in the history."
    )

    def add_arguments(self, parser):
        parser.add_argument("interview_id", type=int)

    def handle(self, *args, interview_id: int, **options):
        interview = Interview.objects.filter(pk=interview_id).first()
        if interview is None:
            raise CommandError(f"Interview {interview_id} does not exist.")
        try:
            card = scorecard_generate(interview=interview)
        except ScorecardError as exc:
            raise CommandError(str(exc)) from exc
        if card.state != ScorecardState.READY:
            raise CommandError(f"Scorecard generation failed: {card.failure_reason}")
        self.stdout.write(
            f"Scorecard of interview {interview_id}: version {card.version}, "
            f"{card.recommendation_verdict}, overall {card.overall_score}, "
            f"by {card.provider}."
        )
