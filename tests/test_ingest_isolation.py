"""One client's bad delivery must not touch another client's (issue 17, item 1), on a
real Daphne and PostgreSQL: the fast path writes many deliveries in one transaction,
so two interviewers posting at once share batches.

Before: a lone surrogate in A's text made B's posts answer 500 (most of them stored
anyway, some lost), and a NUL byte or a `start` too large for the integer column made
them answer 503."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from accounts.services import api_token_create
from interviews.models import Transcript
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory
from tests.servers import daphne, subprocess_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def bad_message(i: int) -> dict:
    """What interviewer A sends: four kinds of values the database cannot hold."""
    message = results(f"mala {i}", start=i * 2.0, request_id="a-1")
    kind = i % 4
    if kind == 0:  # a lone surrogate (valid JSON, not encodable as UTF-8)
        message["channel"]["alternatives"][0]["transcript"] = "hola \ud800"
        for word in message["channel"]["alternatives"][0]["words"]:
            word["punctuated_word"] = "hola \ud800"
    elif kind == 1:  # a NUL in the text
        message["channel"]["alternatives"][0]["transcript"] = "ho\x00la"
        for word in message["channel"]["alternatives"][0]["words"]:
            word["punctuated_word"] = "ho\x00la"
    elif kind == 2:  # a NUL in the chunk's identity
        message["metadata"]["request_id"] = "a-\x00"
    else:  # 5,000,000 s = 5e9 ms: more than PostgreSQL's integer holds
        message["start"] = 5_000_000
    return message


async def interleave(url: str, a: tuple[int, str], b: tuple[int, str], count: int):
    async def post(interview_id: int, token: str, message: dict):
        # json.dumps escapes the surrogate as \ud800, as any JSON client would.
        response = await http.post(
            f"{url}/api/interviews/{interview_id}/transcripts/",
            content=json.dumps(message).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        return response.status_code, response.json()

    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        tasks = []
        for i in range(count):
            tasks.append(post(*a, bad_message(i)))
            tasks.append(post(*b, results(f"frase {i}", start=i * 2.0, request_id="b-1")))
        answers = await asyncio.gather(*tasks)
    return answers[0::2], answers[1::2]


def test_bad_deliveries_of_one_interviewer_never_touch_another_s(alice, bob):
    deliveries = []
    for user in (alice, bob):
        interview = interview_transition(interview=InterviewFactory(interviewer=user), to="live")
        _row, token = api_token_create(user=user, name="isolation")
        deliveries.append((interview.pk, token))
    env = {"DATABASE_URL": subprocess_database_url(), "ANALYSIS_IN_PROCESS": "false"}
    with daphne(env) as server:
        a_answers, b_answers = asyncio.run(interleave(server.url, *deliveries, count=40))

    assert [status for status, _body in b_answers] == [201] * 40, b_answers
    b_rows = Transcript.objects.filter(interview_id=deliveries[1][0])
    assert sorted(b_rows.values_list("text", flat=True)) == sorted(f"frase {i}" for i in range(40))
    assert sorted(b_rows.values_list("pk", flat=True)) == sorted(
        pk for _status, body in b_answers for pk in body["transcripts"]
    )
    # A's deliveries are refused with a message, and none of them wrote anything.
    assert {status for status, _body in a_answers} == {400}, a_answers
    assert all(body["error"] for _status, body in a_answers)
    assert not Transcript.objects.filter(interview_id=deliveries[0][0]).exists()
