from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.analysis.runner import analyze_pending
from interviews.live.deepgram import InvalidResults
from interviews.live.imports import ImportRefused, transcript_file_read, transcript_import
from interviews.models import Interview, Scorecard


class Command(BaseCommand):
    help = (
        "Import a finished Deepgram pre-recorded transcript (JSON, diarised, with "
        "utterances) into a scheduled or live interview that has no transcript yet. "
        "The interview goes through live to completed; the analysis runner then "
        "detects roles, analyses the answers and writes the scorecard (now, with "
        "--analyze)."
    )

    def add_arguments(self, parser):
        parser.add_argument("interview_id", type=int)
        parser.add_argument("file", type=Path, help="Deepgram response JSON ('-' for stdin).")
        parser.add_argument(
            "--analyze",
            action="store_true",
            help="Run the analysis (roles, insights, scorecard) here instead of "
            "leaving it to a running server's runner.",
        )

    def handle(self, *args, interview_id: int, file: Path, analyze: bool = False, **options):
        interview = Interview.objects.filter(pk=interview_id).first()
        if interview is None:
            raise CommandError(f"Interview {interview_id} does not exist.")
        try:
            if str(file) == "-":
                import sys

                response = transcript_file_read(sys.stdin.buffer)
            else:
                with file.open("rb") as handle:
                    response = transcript_file_read(handle, size=file.stat().st_size)
            outcome = transcript_import(interview=interview, response=response)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        except (InvalidResults, ImportRefused) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Imported {outcome.utterances} utterance(s) as {len(outcome.transcript_ids)} "
            f"transcript row(s) into interview {interview_id}; it is now "
            f"{outcome.interview.status}."
        )
        if analyze:
            done = analyze_pending(interview_id)
            scorecard = Scorecard.objects.filter(interview_id=interview_id).first()
            self.stdout.write(
                f"Analysed {done} chunk(s); scorecard: "
                f"{scorecard.state if scorecard else 'not generated'}."
            )
