"""`manage.py generate_scorecard` and the admin's "regenerate scorecard" action."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin, messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import translation

from interviews.models import Interview, Scorecard
from interviews.scorecards.admin import regenerate_scorecards
from interviews.scorecards.services import scorecard_update_notes
from interviews.tests.scorecard_support import completed_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; Spanish is the default language.
    with translation.override("en"):
        yield


def test_the_command_generates_the_scorecard_of_a_completed_interview(interview):
    completed_interview(interview)
    out = io.StringIO()

    call_command("generate_scorecard", str(interview.pk), stdout=out)

    card = Scorecard.objects.get(interview=interview)
    assert card.state == "ready"
    assert card.provider == "builtin"
    assert f"version {card.version}" in out.getvalue()


def test_the_command_regenerates_in_place_and_keeps_the_notes(interview):
    completed_interview(interview)
    call_command("generate_scorecard", str(interview.pk), stdout=io.StringIO())
    scorecard_update_notes(scorecard=Scorecard.objects.get(interview=interview), notes="Mis notas")

    call_command("generate_scorecard", str(interview.pk), stdout=io.StringIO())

    (card,) = Scorecard.objects.filter(interview=interview)
    assert (card.version, card.notes) == (2, "Mis notas")


def test_the_command_refuses_an_unknown_interview():
    with pytest.raises(CommandError, match="does not exist"):
        call_command("generate_scorecard", "999999")


def test_the_command_refuses_an_interview_that_is_not_completed(interview):
    with pytest.raises(CommandError, match="completed"):
        call_command("generate_scorecard", str(interview.pk))
    assert not Scorecard.objects.exists()


def test_the_command_fails_loudly_when_generation_fails(interview):
    # Only the interviewer spoke: nothing to score, and the command says so.
    completed_interview(interview, lines=[("speaker_1", "¿Me oyes bien?")])

    with pytest.raises(CommandError, match="failed"):
        call_command("generate_scorecard", str(interview.pk))
    assert Scorecard.objects.get(interview=interview).state == "failed"


def admin_request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_admin_action_regenerates_the_selected_interviews(charlie, interview):
    completed_interview(interview)
    request = admin_request(charlie)
    model_admin = admin.ModelAdmin(Interview, admin.site)

    regenerate_scorecards(model_admin, request, Interview.objects.filter(pk=interview.pk))

    assert Scorecard.objects.get(interview=interview).state == "ready"
    (message,) = list(request._messages)
    assert message.level == messages.SUCCESS
    assert "1" in str(message)


def test_the_admin_action_reports_interviews_it_cannot_score(charlie, interview):
    request = admin_request(charlie)
    model_admin = admin.ModelAdmin(Scorecard, admin.site)
    Scorecard.objects.create(interview=interview)  # a scheduled interview's empty card

    regenerate_scorecards(model_admin, request, Scorecard.objects.all())

    (message,) = list(request._messages)
    assert f"#{interview.pk}" in str(message)
    assert Scorecard.objects.get(interview=interview).state == "pending"
