"""Export on request: staff download a zip with candidate.json (everything stored
about the candidate) and each interview's PDF report; the export is audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from audit.models import AuditEvent
from interviews.models import Interview

pytestmark = pytest.mark.django_db


def test_staff_download_everything_about_the_candidate(client, charlie, ana):
    client.force_login(charlie)
    client.get(f"/candidates/{ana.pk}/")  # a view: it must show up in the export's trail
    interviews = list(Interview.objects.filter(candidate=ana).order_by("pk"))

    response = client.get(f"/candidates/{ana.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"candidate.json", *(f"interview-{i.pk}.pdf" for i in interviews)} <= names
    assert any(name.startswith("cv/") and name.endswith(".json") for name in names)

    data = json.loads(archive.read("candidate.json"))
    assert data["candidate"]["name"] == "Ana Ruiz"
    assert data["candidate"]["email"] == "Ana.Ruiz@Example.com"
    assert data["cv_data"]["skills"][0]["name"] == "Python"
    first, second = data["interviews"]
    assert first["interview"]["id"] == interviews[0].pk
    assert [t["text"] for t in first["transcripts"]][:1] == [
        interviews[0].transcripts.order_by("timestamp").first().text
    ]
    assert first["insights"][0]["content"] == "Numbers"
    assert first["scorecard"]["recommendation"] == "hire: scripted says hire"
    assert first["notes"] == "Pregunta por teletrabajo"
    assert first["decision"]["decision"] == "hire"
    assert first["decision"]["reason"] == "Clear answers"
    assert first["notices"][0]["decision"] == "agreed"
    assert second["transcripts"] == [] and second["scorecard"] is None
    assert second["notices"][0]["channel"] == "spoken"
    actions = [e["action"] for e in data["audit_events"]]
    assert "scorecard.decision" in actions and "candidate.viewed" in actions
    assert all(
        e["candidate_id"] == ana.pk or e["interview_id"] in {i.pk for i in interviews}
        for e in data["audit_events"]
    )

    pdf = PdfReader(io.BytesIO(archive.read(f"interview-{interviews[0].pk}.pdf")))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Ana Ruiz" in text and "How this assessment was made" in text

    exported = AuditEvent.objects.get(action="export.candidate")
    assert (exported.actor, exported.candidate_id) == (charlie, ana.pk)
    assert exported.details == {"interviews": 2}


def test_interviewers_may_not_export(client, alice, ana):
    client.force_login(alice)

    assert client.get(f"/candidates/{ana.pk}/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="export.candidate").exists()
