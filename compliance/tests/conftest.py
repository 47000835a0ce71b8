from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.services import candidate_cv_upload
from interviews.scorecards.services import scorecard_generate, scorecard_record_decision
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview
from tests.factories import AIInsightFactory, CandidateFactory, InterviewFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded CVs land in a throw-away folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


CV = {
    "basics": {"name": "Ana Ruiz", "email": "Ana.Ruiz@Example.com"},
    "work": [],
    "education": [],
    "skills": [{"name": "Python"}],
}


@pytest.fixture
def ana(db, alice, position):
    """A candidate with a CV file, two interviews (one scored, decided and noted)
    and the trail they left."""
    candidate = CandidateFactory(name="Ana Ruiz", email="Ana.Ruiz@Example.com")
    candidate_cv_upload(
        candidate=candidate,
        uploaded_file=SimpleUploadedFile("ana.json", json.dumps(CV).encode()),
    )
    first = InterviewFactory(candidate=candidate, interviewer=alice, job_position=position)
    rows = completed_interview(first)
    AIInsightFactory(interview=first, transcript=rows[1], content="Numbers", evidence="40%")
    card = scorecard_generate(interview=first, providers=[ScriptedProvider()])
    scorecard_record_decision(scorecard=card, decision="hire", reason="Clear answers", by=alice)
    card.notes = "Pregunta por teletrabajo"
    card.save(update_fields=["notes"])
    InterviewFactory(candidate=candidate, interviewer=alice, job_position=position)  # scheduled
    candidate.refresh_from_db()
    return candidate
