"""The soak of bench/soak.py, short: a few live interviews at Deepgram's rhythm with
two viewers each, the analysis runner in the server. Nothing lost, nothing failed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from accounts.services import api_token_create
from interviews.models import Transcript
from interviews.services import interview_set_roles, interview_transition
from tests.factories import InterviewFactory
from tests.servers import Server, subprocess_database_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from soak import check, soak

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_short_soak_loses_nothing(alice):
    interviews = [
        interview_transition(interview=InterviewFactory(interviewer=alice), to="live")
        for _ in range(4)
    ]
    # The interviewer confirms who is who before the first question (the live page's
    # role control): twelve seconds of speech are fewer turns than role detection
    # waits for (runner.ROLE_DECIDE_AFTER), and this soak is about the pipeline.
    for interview in interviews:
        interview_set_roles(interview=interview, host="speaker_1", guest="speaker_0", by=alice)
    rows = [(i.pk, i.last_seq) for i in interviews]
    ids = [i.pk for i in interviews]
    _row, token = api_token_create(user=alice)
    server = Server(
        {
            "DATABASE_URL": subprocess_database_url(),
            "ANALYSIS_IN_PROCESS": "true",
            "ANALYSIS_POLL_SECONDS": "0.5",
        }
    ).start()

    def pending_count() -> int:
        try:
            return Transcript.objects.filter(interview_id__in=ids).pending_analysis().count()
        finally:
            # The worker thread's own connection: left open, it keeps pytest from
            # dropping the test database at the end of the run.
            connection.close()

    async def settle() -> None:
        pending = sync_to_async(pending_count)
        for _ in range(120):
            if not await pending():
                return
            await asyncio.sleep(0.5)

    try:
        result = asyncio.run(soak([server.url], rows, token, 12, 2, settle))
    finally:
        server.stop()
    summary = check(result, ids)
    assert result.chunks_sent > 50
    assert result.errors == []
    assert summary["final_rows"] > 10 and summary["insights"] > 0
    assert summary["lost_rows"] == 0
    assert summary["lost_insights"] == 0
    assert summary["pending_analysis"] == 0
