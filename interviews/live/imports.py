"""Import of a finished Deepgram pre-recorded transcript (diarised, with utterances).

The import goes through the same pipeline as live audio: the interview moves to
live, each utterance enters `transcript_ingest` as the live `Results` message
Deepgram would have sent, and the interview completes, so the analysis runner then
detects roles, analyses every answer and writes the scorecard. The dashboard, the
admin and `manage.py import_transcript` all call `transcript_import`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from interview_companion.http import UnreadableJSON, json_parse
from interviews.live.deepgram import InvalidResults, prerecorded_to_results
from interviews.live.ingest import transcript_ingest
from interviews.models import Interview, InterviewStatus, Transcript
from interviews.notices import (
    notice_missing,
    notice_missing_message,
    recording_declined_message,
)
from interviews.services import interview_transition


class ImportRefused(Exception):
    """The interview cannot take an imported transcript (answered 409)."""


@dataclass(frozen=True)
class ImportOutcome:
    interview: Interview
    utterances: int
    transcript_ids: list[int]


def transcript_file_read(file: IO[bytes], *, size: int | None = None) -> Any:
    """The uploaded or named file as JSON, refusing what is too big to be a transcript."""
    limit = settings.TRANSCRIPT_IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise InvalidResults(
            _("The file is larger than %(n)d MB.") % {"n": max(1, limit // (1024 * 1024))}
        )
    data = file.read(limit + 1)
    if len(data) > limit:
        raise InvalidResults(
            _("The file is larger than %(n)d MB.") % {"n": max(1, limit // (1024 * 1024))}
        )
    try:
        return json_parse(data)
    except UnreadableJSON as exc:
        raise InvalidResults(str(exc)) from exc


@transaction.atomic
def transcript_import(*, interview: Interview, response: Any, by=None) -> ImportOutcome:
    """Take a scheduled or live interview with no transcripts through live to
    completed with the utterances of a Deepgram pre-recorded response.

    All or nothing: a refused or unreadable transcript leaves the interview as it was.
    """
    # Read the whole file before touching the interview.
    messages = prerecorded_to_results(response)
    texts = [m["channel"]["alternatives"][0]["transcript"] for m in messages]
    if not any(isinstance(text, str) and text.strip() for text in texts):
        raise InvalidResults(_("The transcript has no utterances with speech."))
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if locked.status not in (InterviewStatus.SCHEDULED, InterviewStatus.LIVE):
        raise ImportRefused(
            _(
                "Only a scheduled or live interview can take an imported transcript (this one is “%(s)s”)."
            )
            % {"s": locked.get_status_display()}
        )
    if Transcript.objects.filter(interview=locked).exists():
        raise ImportRefused(
            _("This interview already has a transcript; import into an interview without one.")
        )
    # A recording is personal data like a live one: the candidate must have been
    # told, and must not have declined.
    if locked.recording_declined:
        raise ImportRefused(recording_declined_message())
    if notice_missing(locked):
        raise ImportRefused(notice_missing_message())
    locked = interview_transition(interview=locked, to=InterviewStatus.LIVE, by=by)
    transcript_ids: list[int] = []
    # One ingest per utterance: each call stamps its rows with its own time, so
    # the rows keep the utterances' order by timestamp (the runner finds "the
    # question before an answer" that way), not only by id.
    for message in messages:
        outcome = transcript_ingest(interview=locked, results=message, stt_provider="deepgram")
        transcript_ids += outcome.transcript_ids
    locked = interview_transition(interview=locked, to=InterviewStatus.COMPLETED, by=by)
    return ImportOutcome(interview=locked, utterances=len(messages), transcript_ids=transcript_ids)
