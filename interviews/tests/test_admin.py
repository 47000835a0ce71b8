"""The recruiters' admin for interviews: pages render with real data, JSON is
readable, and nothing in it bypasses the lifecycle or the live feed."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from interviews.models import (
    AIInsight,
    Interview,
    InterviewEvent,
    Scorecard,
    ScorecardVersion,
    SpeakerRole,
    Transcript,
)
from tests.factories import AIInsightFactory, ScorecardFactory, TranscriptFactory

MODELS = (Interview, Transcript, AIInsight, Scorecard, ScorecardVersion, InterviewEvent)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every user the factories make gets a hashed password; PBKDF2 costs about a
    # second each on a busy CI machine, and nothing here signs in with a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_client(client, charlie):
    """charlie, a staff recruiter with the permissions a recruiters' group would have."""
    charlie.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["interviews", "candidates", "accounts"]
        )
    )
    client.force_login(charlie)
    return client


@pytest.fixture
def produced(interview):
    """An interview with everything the pipeline writes: transcript, insights,
    scorecard with an earlier version, event log."""
    start = timezone.now() - timedelta(minutes=5)
    TranscriptFactory(
        interview=interview,
        timestamp=start + timedelta(seconds=20),
        text="Trabajé cinco años con Django y PostgreSQL.",
        speaker="speaker_1",
        speaker_role="guest",
        confidence=93,
    )
    TranscriptFactory(
        interview=interview,
        timestamp=start,
        text="¿Cuéntame tu experiencia con Django?",
        speaker="speaker_0",
        speaker_role="host",
        confidence=97,
    )
    insight = AIInsightFactory(
        interview=interview,
        content="Respuesta concreta con cifras.",
        topic="experiencia",
        score={"technical": 7, "communication": 9},
    )
    scorecard = ScorecardFactory(
        interview=interview,
        strengths=[{"text": "Experiencia con Django", "quote": "cinco años", "transcript_id": 1}],
        weaknesses=[],
        summary="Buen candidato.",
        ai_scores={"technical": 7, "communication": 8},
    )
    version = ScorecardVersion.objects.create(
        scorecard=scorecard, version=1, snapshot={"technical": 6, "summary": "Primera versión"}
    )
    event = InterviewEvent.objects.create(
        interview=interview, seq=1, type="insight", object_id=insight.pk, data={"used": False}
    )
    # The log's counter, as the event-log service would have left it.
    Interview.objects.filter(pk=interview.pk).update(last_seq=1)
    return {
        Interview: interview,
        Transcript: interview.transcripts.first(),
        AIInsight: insight,
        Scorecard: scorecard,
        ScorecardVersion: version,
        InterviewEvent: event,
    }


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:interviews_{model._meta.model_name}_{action}", args=args)


def post_data(response) -> dict:
    """The change form as the browser would submit it, unchanged."""
    data: dict = {}
    forms_ = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms_.append(inline.formset.management_form)
        forms_.extend(inline.formset.forms)
    for form in forms_:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, forms.MultiWidget):
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
            elif isinstance(field, forms.NullBooleanField):
                data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
            elif isinstance(field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "" if value is None else str(value)
    return data


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_changelist_renders_for_staff_with_data(staff_client, produced, model):
    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == (2 if model is Transcript else 1)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_change_page_renders_for_staff_with_data(staff_client, produced, model):
    response = staff_client.get(admin_url(model, "change", produced[model].pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_date_drilldown_work(staff_client, produced, model):
    date_field = admin.site._registry[model].date_hierarchy

    response = staff_client.get(
        admin_url(model, "changelist"),
        {"q": "Lucía", f"{date_field}__year": timezone.localdate().year},
    )

    # An unknown lookup would redirect with ?e=1 instead.
    assert response.status_code == 200
    assert response.context["cl"].result_count == (2 if model is Transcript else 1)


def test_interviews_are_searchable_by_candidate_name(staff_client, produced, bob):
    from tests.factories import CandidateFactory, InterviewFactory

    InterviewFactory(candidate=CandidateFactory(name="Peter Smith"), interviewer=bob)

    response = staff_client.get(admin_url(Interview, "changelist"), {"q": "lucía"})

    assert [row.pk for row in response.context["cl"].result_list] == [produced[Interview].pk]


def test_interview_page_shows_the_transcript_in_spoken_order_with_roles(staff_client, produced):
    response = staff_client.get(admin_url(Interview, "change", produced[Interview].pk))
    rows = re.findall(r"<tr class=\"(?:final|interim)\">(.*?)</tr>", response.content.decode())

    assert len(rows) == 2
    assert "¿Cuéntame tu experiencia con Django?" in rows[0]
    assert f"<td>{SpeakerRole.HOST.label}</td>" in rows[0]
    assert "Trabajé cinco años con Django y PostgreSQL." in rows[1]
    assert f"<td>{SpeakerRole.GUEST.label}</td>" in rows[1]
    # Read-only: no transcript input is posted back with the form.
    assert b"transcripts-TOTAL_FORMS" not in response.content


def test_interview_page_inlines_insights_and_scorecard(staff_client, produced):
    response = staff_client.get(admin_url(Interview, "change", produced[Interview].pk))

    inlines = {i.formset.model: i for i in response.context["inline_admin_formsets"]}
    assert set(inlines) == {AIInsight, Scorecard}
    insight_form = inlines[AIInsight].formset.forms[0]
    # Only the interviewer's marks are editable; the AI's words are not.
    assert {"used", "dismissed"} <= set(insight_form.fields)
    assert not {"content", "type", "severity", "topic"} & set(insight_form.fields)
    # The scorecard is shown here and edited on its own page, through its services.
    scorecard_form = inlines[Scorecard].formset.forms[0]
    assert set(scorecard_form.fields) == {"id", "interview"}
    assert "Buen candidato." in response.content.decode()


def test_json_fields_are_pretty_printed_and_editable(staff_client, produced):
    interview = produced[Interview]
    Interview.objects.filter(pk=interview.pk).update(
        roles={"host": "speaker_0", "guest": "speaker_1"},
        analysis_state={"flags": ["red-flag"], "scores": {"technical": 7}},
    )

    response = staff_client.get(admin_url(Interview, "change", interview.pk))
    html = response.content.decode()

    # Editable roles: an indented JSON textarea.
    assert "{\n  &quot;host&quot;: &quot;speaker_0&quot;,\n  &quot;guest&quot;" in html
    # Read-only analysis state: indented too, and not an input.
    assert "&quot;scores&quot;: {\n    &quot;technical&quot;: 7\n  }" in html
    assert 'name="analysis_state"' not in html


def test_pretty_json_keeps_accents_readable(staff_client, produced):
    scorecard = produced[Scorecard]
    Scorecard.objects.filter(pk=scorecard.pk).update(strengths=["Comunicación clara"])

    response = staff_client.get(admin_url(Scorecard, "change", scorecard.pk))

    assert "&quot;Comunicación clara&quot;" in response.content.decode()


def test_saving_the_interview_page_cannot_change_its_status(staff_client, produced):
    interview = produced[Interview]
    url = admin_url(Interview, "change", interview.pk)
    data = post_data(staff_client.get(url))
    data.update(status="completed", completed_at_0="2026-01-01", last_seq="99")

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    interview.refresh_from_db()
    assert interview.status == "scheduled"
    assert interview.completed_at is None
    assert interview.last_seq == 1


def test_editing_roles_as_json_relabels_the_transcript_through_the_service(staff_client, produced):
    interview = produced[Interview]
    url = admin_url(Interview, "change", interview.pk)
    data = post_data(staff_client.get(url))
    data["roles"] = json.dumps({"host": "speaker_1", "guest": "speaker_0"})

    response = staff_client.post(url, data)

    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert interview.roles_assigned is True
    roles = dict(interview.transcripts.values_list("speaker", "speaker_role"))
    assert roles == {"speaker_1": "host", "speaker_0": "guest"}
    assert interview.events.filter(type="roles").exists()


@pytest.mark.parametrize(
    "typed",
    ['{"host": "speaker_0"', '{"host": "speaker_0", "guest": "speaker_0"}', '["speaker_0"]'],
    ids=["not-json", "same-speaker", "not-a-mapping"],
)
def test_bad_roles_are_refused_and_shown_back_as_typed(staff_client, produced, typed):
    interview = produced[Interview]
    url = admin_url(Interview, "change", interview.pk)
    data = post_data(staff_client.get(url))
    data["roles"] = typed

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "roles" in response.context["adminform"].form.errors
    shown = html.unescape(
        re.search(
            r'<textarea name="roles"[^>]*>\n?(.*?)</textarea>', response.content.decode(), re.S
        )[1]
    )
    try:
        assert json.loads(shown) == json.loads(typed)  # re-indented, same value
    except ValueError:
        assert shown == typed  # not JSON: left exactly as typed
    interview.refresh_from_db()
    assert interview.roles is None


def test_insight_inline_saves_used_and_dismissed_through_the_live_feed(staff_client, produced):
    interview, insight = produced[Interview], produced[AIInsight]
    url = admin_url(Interview, "change", interview.pk)
    data = post_data(staff_client.get(url))
    data["insights-0-used"] = "on"
    data["insights-0-content"] = "rewritten by hand"

    response = staff_client.post(url, data)

    assert response.status_code == 302
    insight.refresh_from_db()
    assert insight.used is True
    assert insight.content == "Respuesta concreta con cifras."
    event = interview.events.order_by("-seq").first()
    assert (event.type, event.object_id, event.data["used"]) == ("insight", insight.pk, True)


def test_insight_page_edits_only_the_interviewers_marks(staff_client, produced):
    insight = produced[AIInsight]
    url = admin_url(AIInsight, "change", insight.pk)
    data = post_data(staff_client.get(url))
    data.update(dismissed="on", type="red-flag", content="changed")

    response = staff_client.post(url, data)

    assert response.status_code == 302
    insight.refresh_from_db()
    assert (insight.dismissed, insight.type, insight.content) == (
        True,
        "green-flag",
        "Respuesta concreta con cifras.",
    )


def test_scorecard_notes_are_saved_through_the_service_and_reach_the_live_feed(
    staff_client, produced
):
    scorecard = produced[Scorecard]
    url = admin_url(Scorecard, "change", scorecard.pk)
    data = post_data(staff_client.get(url))
    data.update(notes="  Llamar la semana que viene.  ", summary="rewritten", overall_score="1.0")

    response = staff_client.post(url, data)

    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.notes == "Llamar la semana que viene."
    # The AI's columns are not editable here: regeneration would undo the edit.
    assert (scorecard.summary, scorecard.overall_score) == ("Buen candidato.", 7.5)
    event = scorecard.interview.events.order_by("-seq").first()
    assert (event.type, event.object_id) == ("scorecard", scorecard.pk)


def test_a_score_changed_in_the_admin_is_a_hand_adjustment(staff_client, produced):
    scorecard = produced[Scorecard]
    url = admin_url(Scorecard, "change", scorecard.pk)
    data = post_data(staff_client.get(url))
    data["technical"] = "9"

    response = staff_client.post(url, data)

    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.technical == 9
    assert scorecard.manual_scores == {"technical": 9}
    assert scorecard.communication == 8  # untouched dimensions stay as they were


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"technical": "11"}, "technical"), ({"decision": "hire"}, "decision_reason")],
    ids=["score-out-of-range", "decision-without-reason"],
)
def test_a_scorecard_edit_the_services_would_refuse_is_a_form_error(
    staff_client, produced, changes, field
):
    scorecard = produced[Scorecard]
    url = admin_url(Scorecard, "change", scorecard.pk)
    data = {**post_data(staff_client.get(url)), **changes}

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    scorecard.refresh_from_db()
    assert (scorecard.technical, scorecard.decision) == (7, None)


def test_a_decision_records_who_made_it(staff_client, produced, charlie):
    scorecard = produced[Scorecard]
    url = admin_url(Scorecard, "change", scorecard.pk)
    data = post_data(staff_client.get(url))
    data.update(decision="hire", decision_reason="Sólido en Django.")

    response = staff_client.post(url, data)

    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert (scorecard.decision, scorecard.decision_reason) == ("hire", "Sólido en Django.")
    assert scorecard.decided_by == charlie
    assert scorecard.decided_at is not None


def test_an_interview_added_in_the_admin_is_scheduled(staff_client, candidate, position, bob):
    response = staff_client.post(
        admin_url(Interview, "add"),
        {
            "candidate": candidate.pk,
            "interviewer": bob.pk,
            "job_position": position.pk,
            "language": "en",
            "scheduled_at_0": "2030-05-04",
            "scheduled_at_1": "10:30:00",
            "roles": "",
            "stt_provider": "",
            "scorecard-TOTAL_FORMS": "0",
            "scorecard-INITIAL_FORMS": "0",
            "insights-TOTAL_FORMS": "0",
            "insights-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    interview = Interview.objects.get(interviewer=bob)
    assert (interview.status, interview.language, interview.candidate) == (
        "scheduled",
        "en",
        candidate,
    )
    assert timezone.localtime(interview.scheduled_at).strftime("%Y-%m-%d %H:%M") == (
        "2030-05-04 10:30"
    )


def test_an_interview_cannot_be_added_for_a_closed_position(staff_client, candidate, position, bob):
    position.status = "closed"
    position.save()

    response = staff_client.post(
        admin_url(Interview, "add"),
        {
            "candidate": candidate.pk,
            "interviewer": bob.pk,
            "job_position": position.pk,
            "language": "es",
            "scheduled_at_0": "2030-05-04",
            "scheduled_at_1": "10:30:00",
            "scorecard-TOTAL_FORMS": "0",
            "scorecard-INITIAL_FORMS": "0",
            "insights-TOTAL_FORMS": "0",
            "insights-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "job_position" in response.context["adminform"].form.errors
    assert not Interview.objects.filter(interviewer=bob).exists()


@pytest.mark.parametrize("model", (Interview, Scorecard), ids=lambda m: m.__name__)
def test_scorecards_can_be_regenerated_from_both_lists(staff_client, produced, model):
    response = staff_client.get(admin_url(model, "changelist"))

    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "regenerate_scorecards" in actions


def test_related_rows_are_picked_with_autocomplete(staff_client, produced):
    response = staff_client.get(admin_url(Interview, "change", produced[Interview].pk))
    form = response.context["adminform"].form

    for name in ("candidate", "interviewer", "job_position"):
        assert type(form.fields[name].widget.widget).__name__ == "AutocompleteSelect", name

    found = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "interviews",
            "model_name": "interview",
            "field_name": "candidate",
            "term": "Lucía",
        },
    ).json()
    assert [r["text"] for r in found["results"]] == ["Lucía Fernández"]


def test_start_action_moves_a_scheduled_interview_live(staff_client, produced):
    interview = produced[Interview]

    response = staff_client.post(
        admin_url(Interview, "changelist"),
        {"action": "start_interviews", "_selected_action": [interview.pk]},
        follow=True,
    )

    assert response.status_code == 200
    interview.refresh_from_db()
    assert interview.status == "live"
    assert interview.started_at is not None
    assert interview.events.filter(type="interview").exists()


def test_complete_action_refuses_a_transition_the_lifecycle_forbids(staff_client, produced):
    interview = produced[Interview]

    response = staff_client.post(
        admin_url(Interview, "changelist"),
        {"action": "complete_interviews", "_selected_action": [interview.pk]},
        follow=True,
    )

    interview.refresh_from_db()
    assert interview.status == "scheduled"
    assert interview.completed_at is None
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1
    assert f"#{interview.pk}" in str(errors[0])


@pytest.mark.parametrize("model", (Transcript, ScorecardVersion, InterviewEvent), ids=str)
def test_pipeline_rows_cannot_be_added_changed_or_deleted(staff_client, produced, model):
    obj = produced[model]

    assert staff_client.get(admin_url(model, "add")).status_code == 403
    assert staff_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    response = staff_client.get(admin_url(model, "change", obj.pk))
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_non_staff_are_sent_to_the_admin_login(client, alice, produced, model):
    client.force_login(alice)

    for url in (admin_url(model, "changelist"), admin_url(model, "change", produced[model].pk)):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
