"""Concurrent regenerations on PostgreSQL, where row locks are real."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.db import connection

from interviews.models import Scorecard, ScorecardVersion
from interviews.scorecards.services import (
    scorecard_ensure,
    scorecard_generate,
    scorecard_update_notes,
)
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowProvider(ScriptedProvider):
    """Holds every caller until all of them are inside the provider, so the
    generations really overlap."""

    def __init__(self, callers: int) -> None:
        super().__init__("slow")
        self.barrier = threading.Barrier(callers, timeout=10)

    async def generate_scorecard(self, context):
        await asyncio.to_thread(self.barrier.wait)
        return await super().generate_scorecard(context)


def run_in_threads(*targets) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrap(target):
        try:
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_two_first_generations_at_once_end_with_one_scorecard(interview):
    completed_interview(interview)
    provider = SlowProvider(callers=2)

    errors = run_in_threads(
        lambda: scorecard_generate(interview=interview, providers=[provider]),
        lambda: scorecard_generate(interview=interview, providers=[provider]),
    )

    assert errors == []
    card = Scorecard.objects.get(interview=interview)
    assert card.state == "ready"
    assert card.version == 2
    assert list(
        ScorecardVersion.objects.filter(scorecard=card).values_list("version", flat=True)
    ) == [1]


def test_notes_written_during_two_regenerations_survive_both(interview):
    completed_interview(interview)
    card = scorecard_ensure(interview=interview)
    scorecard_update_notes(scorecard=card, notes="antes")
    provider = SlowProvider(callers=3)

    def write_notes_while_generating():
        # Waits with the generations, so the notes commit while both providers run.
        provider.barrier.wait()
        scorecard_update_notes(scorecard=card, notes="Notas escritas durante la generación")

    errors = run_in_threads(
        lambda: scorecard_generate(interview=interview, providers=[provider]),
        lambda: scorecard_generate(interview=interview, providers=[provider]),
        write_notes_while_generating,
    )

    assert errors == []
    (card,) = Scorecard.objects.filter(interview=interview)
    assert card.notes == "Notas escritas durante la generación"
    assert card.state == "ready"
    assert card.version == 2
