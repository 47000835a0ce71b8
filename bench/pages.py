"""Page cost: server render time and query count of the home page, an interview's
detail page, its live page and its candidate's page, with 10 and with 10,000
insights and transcript rows (PostgreSQL, in-process through Django's test client).

    .venv/bin/python bench/pages.py [--runs 30]
"""

from __future__ import annotations

import argparse
import time

from common import percentiles, setup_django


def build(rows: int):
    from django.utils import timezone

    from accounts.models import User
    from candidates.models import Candidate, JobPosition
    from interviews.models import AIInsight, Interview, Scorecard, Transcript

    user, _ = User.objects.get_or_create(email="pages@example.com", defaults={"name": "Pages"})
    position = JobPosition.objects.create(
        title=f"Backend ({rows})", requirements={"technical_skills": ["Python", "Django"]}
    )
    candidate = Candidate.objects.create(name=f"Candidata {rows}")
    interview = Interview.objects.create(
        candidate=candidate,
        interviewer=user,
        job_position=position,
        status="completed",
        started_at=timezone.now(),
        completed_at=timezone.now(),
        scheduled_at=timezone.now(),
        roles={"host": "speaker_1", "guest": "speaker_0"},
        roles_assigned=True,
    )
    now = timezone.now()
    Transcript.objects.bulk_create(
        Transcript(
            interview=interview,
            timestamp=now,
            text=f"Frase número {i} de la entrevista.",
            speaker=f"speaker_{i % 2}",
            speaker_role="guest" if i % 2 == 0 else "host",
            request_id="pages",
            start_ms=i * 1000,
            offset_ms=i * 1000,
            end_ms=i * 1000 + 900,
            duration_ms=900,
            analyzed_at=now,
        )
        for i in range(rows)
    )
    types = ["red-flag", "green-flag", "suggestion", "note", "contradiction"]
    AIInsight.objects.bulk_create(
        AIInsight(
            interview=interview,
            type=types[i % 5],
            severity="info",
            content=f"Insight {i}",
            evidence="Frase",
            response_quality=5,
            sentiment="neutral",
            score={"technical": 6},
        )
        for i in range(rows)
    )
    Scorecard.objects.create(
        interview=interview,
        technical=7,
        communication=8,
        overall_score=7.5,
        recommendation="hire: sólido",
        state="ready",
        strengths=[],
        weaknesses=[],
    )
    for _ in range(5):  # other interviews for the home page and the candidate history
        Interview.objects.create(candidate=candidate, interviewer=user, job_position=position)
    return user, interview, candidate


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    p = percentiles(times)
    return p["p50"], p["p95"], queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    print(f"{'page':18} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for rows in (10, 10_000):
        user, interview, candidate = build(rows)
        client = Client()
        client.force_login(user)
        for name, url in (
            ("home", "/"),
            ("interview detail", f"/interviews/{interview.pk}/"),
            ("live page", f"/interviews/{interview.pk}/live/"),
            ("candidate detail", f"/candidates/{candidate.pk}/"),
        ):
            p50, p95, queries = measure(client, url, args.runs)
            print(f"{name:18} {rows:>6} {p50:8.1f} {p95:8.1f} {queries:8}", flush=True)


if __name__ == "__main__":
    main()
