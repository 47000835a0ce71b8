"""`seed_demo`: realistic demo data, the same rows however often it runs, made by
the real pipeline, and never on a production server by accident."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken, User
from candidates.models import Candidate, JobPosition
from interviews.models import (
    PROTECTED_QUESTION_TOPIC,
    AIInsight,
    Interview,
    InterviewEvent,
    InterviewStatus,
    Scorecard,
    ScorecardState,
    ScorecardVersion,
    Transcript,
)
from interviews.services import interview_schedule, interview_transition
from tests.factories import ScorecardFactory

MODELS = [
    User,
    Group,
    Candidate,
    JobPosition,
    Interview,
    Transcript,
    AIInsight,
    Scorecard,
    ScorecardVersion,
    InterviewEvent,
    ApiToken,
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    # Candidates' CVs go through the upload path: keep the files out of the repo.
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded() -> str:
    return seed()


def showcase() -> Interview:
    return Interview.objects.get(status=InterviewStatus.COMPLETED)


def test_running_it_twice_leaves_the_same_rows(seeded):
    first = counts()
    ids = sorted(Interview.objects.values_list("pk", flat=True))
    seed()
    assert counts() == first
    assert sorted(Interview.objects.values_list("pk", flat=True)) == ids


def test_it_refuses_with_debug_false_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        seed()
    assert not User.objects.exists()
    seed(force=True)
    assert User.objects.filter(email="interviewer@demo.local").exists()


def test_the_demo_users_sign_in_with_the_demo_password_printed_with_their_emails(client, seeded):
    for email in ("interviewer@demo.local", "recruiter@demo.local"):
        assert f"{email}  password: {settings.DEMO_PASSWORD}" in seeded
        assert client.login(username=email, password=settings.DEMO_PASSWORD)
        client.logout()
        assert User.objects.get(email=email).clerk_id.startswith("local:")
    recruiter = User.objects.get(email="recruiter@demo.local")
    assert recruiter.is_staff
    assert recruiter.has_perm("candidates.change_candidate")
    assert not User.objects.get(email="interviewer@demo.local").is_staff
    # The next run prints them again, and a changed DEMO_PASSWORD takes effect.
    settings.DEMO_PASSWORD = "another-demo-password"
    assert "password: another-demo-password" in seed()
    assert client.login(username="interviewer@demo.local", password="another-demo-password")


def test_candidates_have_normalised_cvs_in_spanish_and_english(seeded):
    candidates = list(Candidate.objects.all())
    assert len(candidates) >= 6
    for candidate in candidates:
        cv = candidate.cv_data
        assert cv["source"] == "json_resume"
        assert cv["work"] and all("startDate" in job for job in cv["work"])
        assert all(set(skill) == {"name", "key"} for skill in cv["skills"])
        assert cv["years_of_experience"] > 0
    languages = {lang["language"] for c in candidates for lang in c.cv_data["languages"]}
    assert {"Español", "English"} <= languages
    # Skill search finds them whatever the spelling ("ReactJS" in one CV).
    assert Candidate.objects.with_skill("react").count() >= 3
    assert Candidate.objects.with_skill("postgres").count() >= 2


def test_three_positions_with_requirements_and_one_with_weights(seeded):
    positions = list(JobPosition.objects.all())
    assert len(positions) == 3
    for position in positions:
        for key in ("technical_skills", "experience", "english_level", "nice_to_have"):
            assert position.requirements[key]
    assert sum(1 for p in positions if p.requirements.get("weights")) == 1


def test_there_are_interviews_in_every_status(seeded):
    statuses = set(Interview.objects.values_list("status", flat=True))
    assert statuses == set(InterviewStatus.values)
    assert set(Interview.objects.values_list("language", flat=True)) == {"es", "en"}


def test_the_completed_interview_comes_from_the_real_pipeline(seeded):
    interview = showcase()
    rows = Transcript.objects.filter(interview=interview)
    assert rows.count() >= 40
    assert not rows.filter(is_interim=True).exists()
    assert not rows.filter(analyzed_at__isnull=True).exists()
    # The Spanish recording's interviewer is speaker_1: role detection saw it.
    assert interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert rows.filter(speaker="speaker_1", speaker_role="host").exists()
    insights = AIInsight.objects.filter(interview=interview)
    types = set(insights.values_list("type", flat=True))
    assert {"green-flag", "red-flag", "contradiction", "note"} <= types
    protected = insights.get(topic=PROTECTED_QUESTION_TOPIC)
    assert protected.type == "note" and protected.severity == "critical"
    assert "hijos" in protected.evidence
    card = Scorecard.objects.get(interview=interview)
    assert card.state == ScorecardState.READY
    assert card.overall_score is not None
    assert card.recommendation.split(":")[0] in ("hire", "no_hire", "maybe")
    # Yesterday's interview reads as yesterday's, start to finish.
    assert interview.started_at < interview.completed_at
    assert rows.order_by("timestamp").first().timestamp >= interview.started_at


def test_one_scheduled_interview_is_ready_for_the_english_replay_and_its_id_is_printed(seeded):
    interview = Interview.objects.get(candidate__name="Tom Hughes")
    assert interview.status == InterviewStatus.SCHEDULED
    assert interview.language == "en"
    assert interview.interviewer.email == "interviewer@demo.local"
    assert not interview.transcripts.exists()
    assert f"REPLAY_INTERVIEW_ID={interview.pk}" in seeded
    assert f"--interview {interview.pk}" in seeded


def replayed(interview: Interview) -> Interview:
    """What the README's run command does to the replay interview, and a person's
    notes on its scorecard afterwards."""
    interview_transition(interview=interview, to="live")
    Transcript.objects.create(interview=interview, text="Hi, can you hear me okay?")
    interview_transition(interview=interview, to="completed")
    ScorecardFactory(interview=interview, notes="Strong on testing; ask about mentoring.")
    return interview


def test_running_it_again_keeps_the_replayed_interview_and_its_notes(seeded):
    used = replayed(Interview.objects.get(candidate__name="Tom Hughes"))

    output = seed()

    used.refresh_from_db()
    assert used.status == InterviewStatus.COMPLETED
    assert used.scorecard.notes == "Strong on testing; ask about mentoring."
    assert used.transcripts.count() == 1
    fresh = Interview.objects.get(candidate__name="Tom Hughes", status=InterviewStatus.SCHEDULED)
    assert fresh.pk != used.pk
    assert f"REPLAY_INTERVIEW_ID={fresh.pk}" in output
    assert f"Kept interview {used.pk}" in output
    # A third run replays into the same fresh interview: nothing new is made.
    before = counts()
    assert f"REPLAY_INTERVIEW_ID={fresh.pk}" in seed()
    assert counts() == before


def test_running_it_again_keeps_an_interview_a_person_scheduled(seeded, alice):
    tom = Candidate.objects.get(name="Tom Hughes")
    position = JobPosition.objects.get(title="Data Engineer")
    mine = interview_schedule(
        candidate=tom,
        interviewer=alice,
        job_position=position,
        scheduled_at=timezone.now() + timedelta(days=9),
        language="en",
    )
    ScorecardFactory(interview=mine, notes="Ask about Kafka.")
    scheduled_at = Interview.objects.get(pk=mine.pk).scheduled_at

    seed()

    mine = Interview.objects.get(pk=mine.pk)
    assert mine.scheduled_at == scheduled_at
    assert mine.scorecard.notes == "Ask about Kafka."


def test_reset_demo_deletes_the_replayed_interview_and_says_so(seeded):
    used = replayed(Interview.objects.get(candidate__name="Tom Hughes"))

    output = seed(reset_demo=True)

    assert not Interview.objects.filter(pk=used.pk).exists()
    assert f"--reset-demo: deleted interview {used.pk}" in output
    fresh = Interview.objects.get(candidate__name="Tom Hughes")
    assert fresh.status == InterviewStatus.SCHEDULED
    assert f"REPLAY_INTERVIEW_ID={fresh.pk}" in output


def test_the_completed_interview_lasts_as_long_as_its_recording(seeded):
    interview = showcase()
    rows = Transcript.objects.filter(interview=interview).order_by("offset_ms")
    last = rows.last()
    duration = interview.completed_at - interview.started_at
    assert duration >= timedelta(milliseconds=last.offset_ms + last.duration_ms)
    assert duration < timedelta(milliseconds=last.offset_ms) + timedelta(minutes=2)
    assert duration > timedelta(minutes=4)
    # Each line sits at its place in the audio; insights follow their answers.
    for row in rows:
        assert row.timestamp == interview.started_at + timedelta(milliseconds=row.offset_ms)
    insights = AIInsight.objects.filter(interview=interview).select_related("transcript")
    for insight in insights:
        assert interview.started_at <= insight.timestamp <= interview.completed_at
        if insight.transcript:
            assert insight.timestamp > insight.transcript.timestamp
    minutes = {i.timestamp.replace(second=0, microsecond=0) for i in insights}
    assert len(minutes) >= 4


def test_the_demo_records_the_notice_for_its_interviews_but_one(seeded):
    from interviews.models import CandidateNotice

    untold = Interview.objects.get(candidate__email="carmen.vidal@example.com")
    assert untold.notice_decision is None
    for interview in Interview.objects.exclude(pk=untold.pk):
        notice = CandidateNotice.objects.get(interview=interview)
        assert (notice.decision, notice.channel, notice.language) == (
            "agreed",
            "spoken",
            interview.language,
        )
        assert interview.notice_decision == "agreed"
