"""The audit log: every action on a candidate or an interview leaves one entry
with who, what, about which interview and candidate, and no transcript text; the
database refuses to change or delete entries (PostgreSQL trigger) except the
retention run's removal of old ones."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_events_expire, audit_record
from interviews.models import AIInsight
from interviews.scorecards.services import scorecard_generate
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview
from tests.factories import AIInsightFactory, InterviewFactory

pytestmark = pytest.mark.django_db


def actions(**filters) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_lifecycle_of_an_interview_is_audited_with_who_and_what(
    alice_client, alice, candidate, position
):
    interview = InterviewFactory(
        interviewer=alice, candidate=candidate, job_position=position, notice=False
    )
    base = f"/api/interviews/{interview.pk}"

    post_json(alice_client, f"{base}/notice/", {"decision": "agreed", "channel": "email"})
    post_json(alice_client, f"{base}/transition/", {"to": "live"})
    post_json(alice_client, f"{base}/roles/", {"host": "speaker_0", "guest": "speaker_1"})
    insight = AIInsightFactory(interview=interview)
    alice_client.patch(
        f"/api/insights/{insight.pk}/", data='{"used": true}', content_type="application/json"
    )
    alice_client.patch(
        f"/api/insights/{insight.pk}/", data='{"dismissed": true}', content_type="application/json"
    )
    post_json(alice_client, f"{base}/transition/", {"to": "completed"})

    assert actions(interview_id=interview.pk) == [
        "notice.recorded",
        "interview.transition",
        "interview.roles",
        "insight.updated",
        "insight.updated",
        "interview.transition",
    ]
    events = list(AuditEvent.objects.filter(interview_id=interview.pk).order_by("id"))
    assert {e.actor for e in events} == {alice}
    assert {e.candidate_id for e in events} == {candidate.pk}
    assert events[1].details == {"from": "scheduled", "to": "live"}
    assert events[3].details == {"used": True} and events[4].details == {"dismissed": True}
    assert events[3].object_type == "ai_insight" and events[3].object_id == insight.pk


def test_scorecard_work_is_audited_and_the_decision_says_whether_it_differs_from_the_ai(
    alice_client, alice, interview
):
    rows = completed_interview(interview)
    AIInsight.objects.create(interview=interview, type="note", content="x", transcript=rows[0])
    card = scorecard_generate(interview=interview, providers=[ScriptedProvider()], by=alice)
    url = f"/interviews/{interview.pk}/scorecard"
    alice_client.post(f"{url}/adjust/", {"dimension": "technical", "value": "6"})
    alice_client.post(f"{url}/notes/", {"notes": "Habla de su anterior empresa con detalle."})
    alice_client.post(f"{url}/decision/", {"decision": "no_hire", "reason": "Falta de liderazgo."})

    assert actions(interview_id=interview.pk, object_type="scorecard") == [
        "scorecard.generated",
        "scorecard.adjusted",
        "scorecard.notes",
        "scorecard.decision",
    ]
    generated, adjusted, notes, decision = AuditEvent.objects.filter(
        interview_id=interview.pk, object_type="scorecard"
    ).order_by("id")
    assert generated.details == {
        "provider": "scripted",
        "model": "",
        "prompt_version": "",
        "version": card.version,
        "on_request": True,
    }
    assert adjusted.details == {"dimension": "technical", "value": 6, "ai_value": 9}
    # Never the words: notes and reasons are the interviewer's, about a person.
    assert notes.details == {"length": len("Habla de su anterior empresa con detalle.")}
    assert decision.details == {
        "decision": "no_hire",
        "ai_recommendation": "hire",
        "differs_from_ai": True,
    }
    assert all(e.actor == alice for e in (generated, adjusted, notes, decision))


def test_the_builtin_provider_is_recorded_with_its_rules_version(interview):
    completed_interview(interview)
    card = scorecard_generate(interview=interview)  # AI_PROVIDERS=builtin, the runner's way

    (event,) = AuditEvent.objects.filter(action="scorecard.generated")
    assert event.actor is None
    assert (card.provider, card.ai_model, card.prompt_version) == ("builtin", "builtin", "rules-v1")
    assert event.details["model"] == "builtin" and event.details["on_request"] is False


def test_a_person_viewing_a_candidate_or_interview_page_is_audited(
    alice_client, alice, interview, candidate
):
    completed_interview(interview)
    scorecard_generate(interview=interview, providers=[ScriptedProvider()])
    for url in (
        f"/candidates/{candidate.pk}/",
        f"/interviews/{interview.pk}/",
        f"/interviews/{interview.pk}/live/",
        f"/interviews/{interview.pk}/report/",
        f"/interviews/{interview.pk}/scorecard/history/",
        f"/compare/?c={candidate.pk}",
    ):
        assert alice_client.get(url).status_code == 200, url

    viewed = AuditEvent.objects.filter(action__endswith=".viewed").order_by("id")
    assert [(e.action, e.details.get("page")) for e in viewed] == [
        ("candidate.viewed", None),
        ("interview.viewed", "detail"),
        ("interview.viewed", "live"),
        ("interview.viewed", "report"),
        ("interview.viewed", "scorecard_history"),
        ("interview.viewed", "compare"),
    ]
    assert {(e.actor, e.candidate_id) for e in viewed} == {(alice, candidate.pk)}


def test_exports_are_audited_without_personal_data(alice_client, alice, interview):
    completed_interview(interview)
    scorecard_generate(interview=interview, providers=[ScriptedProvider()])

    assert alice_client.get(f"/interviews/{interview.pk}/report.pdf").status_code == 200
    assert alice_client.get("/scorecards/export.csv?q=Lucía&status=completed").status_code == 200

    pdf, csv = AuditEvent.objects.filter(action__startswith="export.").order_by("id")
    assert (pdf.action, pdf.interview_id, pdf.actor) == ("export.pdf", interview.pk, alice)
    assert csv.action == "export.csv" and csv.actor == alice
    assert csv.details == {
        "rows": 1,
        "filters": {"status": "completed"},
        "searched_by_name": True,
    }


def test_no_entry_holds_transcript_text(alice_client, interview):
    rows = completed_interview(interview)
    scorecard_generate(interview=interview, providers=[ScriptedProvider()])
    alice_client.get(f"/interviews/{interview.pk}/")
    alice_client.post(
        f"/interviews/{interview.pk}/scorecard/decision/", {"decision": "hire", "reason": "Bien."}
    )

    dumped = json.dumps(list(AuditEvent.objects.values("details")), ensure_ascii=False)
    for row in rows:
        assert row.text[:20] not in dumped


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_record(action="retention.run", details={"dry_run": True})

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        audit_record(action="candidate.liked")


@pytest.mark.postgres
def test_the_database_refuses_an_update_or_delete_of_an_entry():
    event = audit_record(action="retention.run", details={"dry_run": True})

    for statement in (
        "UPDATE audit_events SET details = '{}' WHERE id = %s",
        "DELETE FROM audit_events WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).details == {"dry_run": True}


@pytest.mark.postgres
def test_even_with_the_retention_switch_only_old_entries_may_be_deleted():
    recent = audit_record(action="retention.run")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('interview_companion.audit_retention', 'on', true)")
        cursor.execute("DELETE FROM audit_events WHERE id = %s", [recent.pk])
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_the_retention_run_removes_entries_past_audit_retention_days(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    old = AuditEvent.objects.create(action="retention.run", at=now - timedelta(days=400))
    kept = AuditEvent.objects.create(action="retention.run", at=now - timedelta(days=300))

    assert audit_events_expire(now=now, dry_run=True) == 1
    assert AuditEvent.objects.filter(pk=old.pk).exists()
    assert audit_events_expire(now=now) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert audit_events_expire(now=now) == 0


def test_audit_retention_below_six_months_is_refused(monkeypatch):
    import importlib

    import interview_companion.settings as project_settings

    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "90")
    with pytest.raises(ImproperlyConfigured, match="AUDIT_RETENTION_DAYS"):
        importlib.reload(project_settings)
    monkeypatch.delenv("AUDIT_RETENTION_DAYS")
    importlib.reload(project_settings)


def test_staff_read_the_log_in_the_admin_filtered_and_nobody_edits_it(client, charlie, bob, alice):
    event = audit_record(action="candidate.viewed", actor=alice, candidate_id=7)
    audit_record(action="candidate.viewed", actor=alice, candidate_id=8)

    client.force_login(charlie)
    listing = client.get("/admin/audit/auditevent/?candidate_id=7")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert (
        client.get(f"/admin/audit/auditevent/?action=candidate.viewed&actor__id__exact={alice.pk}")
        .context["cl"]
        .result_count
        == 2
    )

    client.force_login(bob)
    assert client.get("/admin/audit/auditevent/").status_code == 302
