"""Spanish and English: the catalogue is shipped compiled, the language switch
works, numbers and dates follow the language, times follow the interviewer's
time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from interviews.tests.dashboard_support import completed_interview
from tests.factories import InterviewFactory

pytestmark = pytest.mark.django_db


def switch_to(client, language: str) -> None:
    client.post(reverse("set_language"), {"language": language, "next": "/"})


def test_pages_are_in_spanish_by_default(alice_client):
    html = alice_client.get(reverse("home")).content.decode()
    assert 'lang="es"' in html
    assert "Hoy de un vistazo" in html
    assert ">Entrevistas<" in html
    assert ">Candidatos<" in html


def test_the_language_switch_turns_the_dashboard_english(alice_client):
    switch_to(alice_client, "en")
    html = alice_client.get(reverse("interviews:list")).content.decode()
    assert 'lang="en"' in html
    assert "Schedule interview" in html
    assert "Programar entrevista" not in html


def test_scores_use_the_languages_decimal_separator(alice_client, alice, position):
    done = completed_interview(interviewer=alice, position=position, score=7.5)
    # The overall score shows once the interviewer has decided (decide-first).
    done.scorecard.__class__.objects.filter(interview=done).update(
        decision="hire", decision_reason="ok"
    )
    url = reverse("interviews:detail", args=[done.pk])

    assert "7,5" in alice_client.get(url).content.decode()
    switch_to(alice_client, "en")
    assert "7.5" in alice_client.get(url).content.decode()


def test_times_are_shown_in_the_interviewers_time_zone(alice_client, alice):
    InterviewFactory(scheduled_at=datetime(2026, 1, 15, 9, 0, tzinfo=UTC))

    alice.time_zone = "America/New_York"
    alice.save(update_fields=["time_zone"])
    assert "04:00" in alice_client.get(reverse("interviews:list")).content.decode()

    alice.time_zone = "Asia/Tokyo"
    alice.save(update_fields=["time_zone"])
    assert "18:00" in alice_client.get(reverse("interviews:list")).content.decode()


def test_the_browsers_time_zone_cookie_is_used_when_the_account_names_none(alice_client):
    InterviewFactory(scheduled_at=datetime(2026, 1, 15, 9, 0, tzinfo=UTC))
    alice_client.cookies["tz"] = "America/Bogota"
    assert "04:00" in alice_client.get(reverse("interviews:list")).content.decode()


def test_every_page_loads_the_time_zone_script(alice_client):
    assert "/static/js/tz.js" in alice_client.get(reverse("home")).content.decode()


def test_the_live_pages_javascript_strings_are_translated(alice_client):
    catalogue = alice_client.get(reverse("javascript-catalog")).content.decode()
    assert "Reconectando" in catalogue
    assert "Cargando" in catalogue


def test_the_compiled_catalogues_are_shipped():
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
    for name in ("django.po", "django.mo", "djangojs.po", "djangojs.mo"):
        assert (folder / name).is_file(), name
