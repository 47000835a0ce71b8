"""factory_boy factories for the rows tests need beyond the narrative fixtures."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate, JobPosition
from candidates.skills import skill_key
from interviews.models import AIInsight, CandidateNotice, Interview, Scorecard, Transcript


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    clerk_id = factory.Sequence(lambda n: f"user_test{n:06d}")
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def cv(*skills: str, years: int = 5) -> dict:
    return {
        "basics": {"name": "Test Candidate"},
        "work": [
            {
                "company": "Acme",
                "position": "Developer",
                "startDate": f"{2025 - years}-01",
                "endDate": "2025-01",
                "summary": "",
            }
        ],
        "education": [],
        "skills": [{"name": s, "key": skill_key(s)} for s in skills],
        "languages": [],
        "source": "json_resume",
        "parsed_at": "2026-01-01T00:00:00Z",
        "years_of_experience": years,
    }


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    name = factory.Faker("name", locale="es_ES")
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    cv_data = factory.LazyFunction(lambda: cv("Python", "Django", "PostgreSQL"))


class JobPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobPosition

    title = "Backend Developer"
    requirements = factory.LazyFunction(
        lambda: {
            "technical_skills": ["Python", "Django", "PostgreSQL"],
            "experience": "3+ years",
            "english_level": "B2",
            "nice_to_have": ["Docker"],
        }
    )


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview
        skip_postgeneration_save = True

    candidate = factory.SubFactory(CandidateFactory)
    interviewer = factory.SubFactory(UserFactory)
    job_position = factory.SubFactory(JobPositionFactory)
    scheduled_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def notice(obj, create, extracted, **kwargs):
        """The candidate was read the notice and agreed, as before any interview
        that goes live; `notice=False` for one nobody has told them about yet,
        `notice="declined"` for one they refused to have recorded. Rows written
        directly: the service's event and audit entry would shift what tests count."""
        if not create or extracted is False:
            return
        from interviews.notices import notice_text_current

        decision = extracted or "agreed"
        text = notice_text_current(obj.language)
        CandidateNotice.objects.create(
            interview=obj,
            candidate_id=obj.candidate_id,
            notice_text=text,
            notice_version=text.version,
            language=text.language,
            decision=decision,
            channel="spoken",
            recorded_by=obj.interviewer,
        )
        obj.notice_decision = decision
        Interview.objects.filter(pk=obj.pk).update(notice_decision=decision)


class TranscriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transcript

    interview = factory.SubFactory(InterviewFactory)
    text = "Hola, ¿qué tal?"
    speaker = "speaker_0"
    request_id = factory.Sequence(lambda n: f"req-{n}")


class AIInsightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AIInsight

    interview = factory.SubFactory(InterviewFactory)
    type = "green-flag"
    severity = "success"
    content = "Concrete answer with numbers."


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    interview = factory.SubFactory(InterviewFactory)
    technical = 7
    communication = 8
    overall_score = 7.5
    recommendation = "hire: solid answers"
    state = "ready"


def session_cookie_for(user) -> bytes:
    """A signed-in browser's session cookie, for websocket tests."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}".encode()
