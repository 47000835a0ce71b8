"""Narrative fixtures shared by every app's tests.

alice owns the interview, bob is another interviewer, charlie is a staff recruiter,
dave was deactivated by Clerk. Everything else comes from `tests/factories.py`.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import (
    CandidateFactory,
    InterviewFactory,
    JobPositionFactory,
    UserFactory,
)

PASSWORD = "pw-Secret-123"


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests are skipped on the SQLite run a newcomer does; CI sets
    # DATABASE_URL, and there a skip of these would hide a missing database.
    if settings.IS_POSTGRES:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI must run the suite on PostgreSQL (set DATABASE_URL).")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com", name="Alice Interviewer")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.com", name="Bob Interviewer")


@pytest.fixture
def charlie(db):
    return UserFactory(email="charlie@example.com", name="Charlie Recruiter", is_staff=True)


@pytest.fixture
def dave(db):
    return UserFactory(email="dave@example.com", name="Dave Gone", is_active=False)


@pytest.fixture
def position(db):
    return JobPositionFactory()


@pytest.fixture
def candidate(db):
    return CandidateFactory(name="Lucía Fernández")


@pytest.fixture
def interview(db, alice, candidate, position):
    return InterviewFactory(interviewer=alice, candidate=candidate, job_position=position)


@pytest.fixture
def live_interview(interview):
    from interviews.services import interview_transition

    return interview_transition(interview=interview, to="live", by=interview.interviewer)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def _no_background_runner(settings):
    # Tests drive the analysis runner explicitly (analyze_pending), so a runner
    # started by the ASGI app cannot race them.
    settings.ANALYSIS_IN_PROCESS = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Failed sign-in / bearer attempts are counted per client address in the cache
    # (accounts/ratelimit.py); every test client is 127.0.0.1, so without this one
    # test's failures would rate-limit the next test.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Property-based tests: a bounded profile keeps CI quick; HYPOTHESIS_PROFILE=long
# runs many more examples by hand.
hypothesis_settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
