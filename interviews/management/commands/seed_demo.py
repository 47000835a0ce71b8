"""Demo data a newcomer can click through:
`python manage.py seed_demo [--force] [--reset-demo]`.

Idempotent: rows are found by their natural keys (user and candidate emails, job
titles, candidate + position for interviews) and made only when missing, so a
second run leaves the same rows. Two things are refreshed on every run, on
purpose: the demo users' password (from `settings.DEMO_PASSWORD`, printed every
time) and the dates of the scheduled interviews (so "today" stays today).

What a person made is kept: an interview the English recording was replayed into
(with its scorecard, notes and decision) stays, and the next replay goes into a new
scheduled interview; `--reset-demo` deletes those replayed interviews instead. The
command says which it did. Interviews a person scheduled are never touched.

The completed interview is made by the real pipeline, not by writing insight rows
by hand: the Spanish recording goes through `transcript_ingest`, the analysis
runner detects roles and analyses every answer with the configured provider (the
built-in one by default), and the scorecard is generated from that. Ingest writes
it all within a second, so its times are then laid out as the recording ran,
yesterday: each line at its place in the audio, each insight a few seconds after
the answer it is about, the interview ending after the last words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate, JobPosition
from candidates.services import candidate_create
from interviews.analysis.runner import analyze_pending
from interviews.live.ingest import transcript_ingest
from interviews.live.recordings import load_recording
from interviews.models import (
    AIInsight,
    Interview,
    InterviewStatus,
    NoticeChannel,
    NoticeDecision,
    Scorecard,
    ScorecardState,
    Transcript,
)
from interviews.notices import notice_record
from interviews.scorecards.services import scorecard_generate
from interviews.services import interview_schedule, interview_transition

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
SHOWCASE_RECORDING = RECORDINGS / "entrevista_backend_es.jsonl"
REPLAY_RECORDING = RECORDINGS / "interview_frontend_en.jsonl"
INGEST_BATCH = 100
# The showcase starts two minutes after its slot; analysis writes an insight a few
# seconds after the answer ends; the interviewer completes it after the goodbyes.
SHOWCASE_LATE = timedelta(minutes=2)
INSIGHT_DELAY = timedelta(seconds=4)
WRAP_UP = timedelta(seconds=20)

INTERVIEWER_EMAIL = "interviewer@demo.local"
RECRUITER_EMAIL = "recruiter@demo.local"
RECRUITERS_GROUP = "Recruiters"
# What the recruiters' admin needs: everything on candidates and interviews, and
# reading the users they assign interviews to.
RECRUITER_APPS = ("candidates", "interviews")

BACKEND, FRONTEND, DATA = (
    "Desarrollador/a backend sénior (Python/Django)",
    "Senior Frontend Engineer (React)",
    "Data Engineer",
)

POSITIONS = [
    {
        "title": BACKEND,
        "description": (
            "Rutalia planifica rutas para empresas de reparto. Buscamos una persona sénior "
            "para el equipo que lleva la API de pedidos y la integración con transportistas."
        ),
        "requirements": {
            "technical_skills": ["Python", "Django", "PostgreSQL", "Celery", "Docker", "REST APIs"],
            "experience": "5+ años desarrollando con Python en producción",
            "english_level": "B2",
            "nice_to_have": ["Kubernetes", "AWS", "RabbitMQ"],
            # The team needs hands-on depth first; English is used in writing mostly.
            "weights": {
                "technical": 3,
                "communication": 1.5,
                "attitude": 1,
                "strategic": 1,
                "leadership": 1,
                "english": 0.5,
            },
        },
        "seniority_level": "Senior",
        "location": "Valencia (híbrido)",
        "salary_range": "45.000 - 55.000 EUR",
        "jira_epic": "HIR-12",
    },
    {
        "title": FRONTEND,
        "description": (
            "Brightpath builds a learning platform for schools. The classroom team needs a "
            "senior engineer for the teacher dashboard and the live quiz experience."
        ),
        "requirements": {
            "technical_skills": ["React", "TypeScript", "Next.js", "React Query", "Playwright"],
            "experience": "5+ years building React applications",
            "english_level": "C1",
            "nice_to_have": ["Accessibility (WCAG)", "WebSockets", "Design systems"],
        },
        "seniority_level": "Senior",
        "location": "Remote (UK)",
        "salary_range": "65,000 - 75,000 GBP",
        "jira_epic": "HIR-15",
    },
    {
        "title": DATA,
        "description": (
            "Equipo de datos de Rutalia: pipelines de eventos de entrega y modelos de "
            "previsión de demanda."
        ),
        "requirements": {
            "technical_skills": ["Python", "SQL", "Airflow", "dbt", "BigQuery"],
            "experience": "3+ años en ingeniería de datos",
            "english_level": "B2",
            "nice_to_have": ["Kafka", "Terraform"],
        },
        "seniority_level": "Mid",
        "location": "Barcelona",
        "salary_range": "40.000 - 48.000 EUR",
        "jira_epic": "HIR-18",
    },
]


def _resume(name, email, label, location, work, skills, languages, education) -> dict:
    """A JSON Resume document, as a candidate would upload it."""
    return {
        "basics": {"name": name, "email": email, "label": label, "location": {"city": location}},
        "work": [
            {"name": c, "position": p, "startDate": s, "endDate": e, "summary": summary}
            for c, p, s, e, summary in work
        ],
        "education": [
            {"institution": i, "area": a, "studyType": t, "endDate": end}
            for i, a, t, end in education
        ],
        "skills": [{"name": s} for s in skills],
        "languages": [{"language": lang, "fluency": level} for lang, level in languages],
    }


CANDIDATES = [
    {
        "name": "Javier Morales Gil",
        "email": "javier.morales@example.com",
        "phone": "+34 612 345 678",
        "jira_ticket": "CAND-101",
        "resume": _resume(
            "Javier Morales Gil",
            "javier.morales@example.com",
            "Desarrollador backend",
            "Madrid",
            [
                (
                    "Paquetexpress",
                    "Desarrollador backend",
                    "2022-03",
                    None,
                    "API de seguimiento de envíos (2M peticiones/día), Celery, PostgreSQL.",
                ),
                (
                    "Consultora Norte",
                    "Desarrollador Python/Django",
                    "2020-09",
                    "2022-02",
                    "Proyectos Django para clientes de banca y seguros.",
                ),
            ],
            [
                "Python",
                "Django",
                "Django REST Framework",
                "PostgreSQL",
                "Celery",
                "RabbitMQ",
                "Redis",
                "Docker",
                "AWS",
                "pytest",
                "GitLab CI",
            ],
            [("Español", "Nativo"), ("Inglés", "B2")],
            [("Universidad Politécnica de Madrid", "Ingeniería Informática", "Grado", "2020")],
        ),
    },
    {
        "name": "Tom Hughes",
        "email": "tom.hughes@example.com",
        "phone": "+44 7700 900123",
        "jira_ticket": "CAND-102",
        "resume": _resume(
            "Tom Hughes",
            "tom.hughes@example.com",
            "Frontend engineer",
            "Manchester",
            [
                (
                    "Fieldnote",
                    "Frontend Engineer, Platform",
                    "2023-09",
                    None,
                    "Inspection editor rewrite: hooks, React Query, time to interactive 9s to 2.8s.",
                ),
                (
                    "Northbeam Digital",
                    "Web Developer",
                    "2021-09",
                    "2023-08",
                    "Agency work: WordPress, jQuery, then React and TypeScript.",
                ),
            ],
            [
                "React",
                "TypeScript",
                "Next.js",
                "React Query",
                "Redux",
                "Jest",
                "React Testing Library",
                "Playwright",
                "Datadog",
            ],
            [("English", "Native")],
            [("University of Leeds", "Computer Science", "BSc", "2021")],
        ),
    },
    {
        "name": "Lucía Fernández Ortega",
        "email": "lucia.fernandez@example.com",
        "phone": "+34 655 111 222",
        "jira_ticket": "CAND-103",
        "resume": _resume(
            "Lucía Fernández Ortega",
            "lucia.fernandez@example.com",
            "Desarrolladora frontend",
            "Sevilla",
            [
                (
                    "Viajes Albero",
                    "Desarrolladora frontend sénior",
                    "2021-01",
                    None,
                    "Buscador de reservas en React y TypeScript; design system con Storybook.",
                ),
                (
                    "Clínica Digital",
                    "Desarrolladora web",
                    "2017-06",
                    "2020-12",
                    "Portal de pacientes en Angular y luego React.",
                ),
            ],
            ["ReactJS", "TypeScript", "Next.js", "Storybook", "Cypress", "Accesibilidad", "Figma"],
            [("Español", "Nativo"), ("Inglés", "C1")],
            [("Universidad de Sevilla", "Ingeniería del Software", "Grado", "2017")],
        ),
    },
    {
        "name": "Marc Puig Soler",
        "email": "marc.puig@example.com",
        "phone": "+34 699 333 444",
        "jira_ticket": None,
        "resume": _resume(
            "Marc Puig Soler",
            "marc.puig@example.com",
            "Enginyer de dades",
            "Barcelona",
            [
                (
                    "Mercat Online",
                    "Data Engineer",
                    "2022-04",
                    None,
                    "Pipelines de Airflow y modelos dbt sobre BigQuery.",
                ),
                ("Banc Central", "Analista BI", "2019-09", "2022-03", "Informes SQL y Power BI."),
            ],
            ["Python", "SQL", "Airflow", "dbt", "BigQuery", "Kafka"],
            [("Catalán", "Nativo"), ("Español", "Nativo"), ("Inglés", "B2")],
            [("Universitat Politècnica de Catalunya", "Estadística", "Grado", "2019")],
        ),
    },
    {
        "name": "Aisha Khan",
        "email": "aisha.khan@example.com",
        "phone": "+44 7700 900456",
        "jira_ticket": "CAND-105",
        "resume": _resume(
            "Aisha Khan",
            "aisha.khan@example.com",
            "Backend engineer",
            "London",
            [
                (
                    "Ledgerly",
                    "Senior Backend Engineer",
                    "2020-02",
                    None,
                    "Payments API in Django and PostgreSQL; led a team of four.",
                ),
                ("Shopwise", "Python Developer", "2016-07", "2020-01", "Flask services, Celery."),
            ],
            ["Python", "Django", "Postgres", "Celery", "Kubernetes", "Terraform", "AWS"],
            [("English", "Native"), ("Urdu", "Fluent")],
            [("University of Manchester", "Mathematics", "BSc", "2016")],
        ),
    },
    {
        "name": "Daniel Okafor",
        "email": "daniel.okafor@example.com",
        "phone": "+44 7700 900789",
        "jira_ticket": None,
        "resume": _resume(
            "Daniel Okafor",
            "daniel.okafor@example.com",
            "Data engineer",
            "Bristol",
            [
                (
                    "StreamCo",
                    "Data Engineer",
                    "2021-05",
                    None,
                    "Kafka to BigQuery ingestion; dbt models for finance.",
                ),
            ],
            ["Python", "SQL", "dbt", "BigQuery", "Kafka", "Terraform"],
            [("English", "Native"), ("Spanish", "B1")],
            [("University of Bristol", "Physics", "MSci", "2021")],
        ),
    },
    {
        "name": "Carmen Vidal Ruiz",
        "email": "carmen.vidal@example.com",
        "phone": "+34 622 555 666",
        "jira_ticket": "CAND-107",
        "resume": _resume(
            "Carmen Vidal Ruiz",
            "carmen.vidal@example.com",
            "Desarrolladora frontend",
            "Valencia",
            [
                (
                    "Agencia Nube",
                    "Desarrolladora frontend",
                    "2020-10",
                    None,
                    "Aplicaciones React con React Query y pruebas con Playwright.",
                ),
            ],
            ["React", "TypeScript", "React Query", "Playwright", "CSS"],
            [("Español", "Nativo"), ("Inglés", "B2")],
            [("Universitat de València", "Ingeniería Informática", "Grado", "2020")],
        ),
    },
]


@dataclass(frozen=True)
class PlannedInterview:
    key: str
    candidate_email: str
    position_title: str
    language: str
    status: str  # the status the demo wants it in


PLANNED = [
    PlannedInterview("showcase", "javier.morales@example.com", BACKEND, "es", "completed"),
    PlannedInterview("replay", "tom.hughes@example.com", FRONTEND, "en", "scheduled"),
    PlannedInterview("live", "lucia.fernandez@example.com", FRONTEND, "es", "live"),
    PlannedInterview("carmen", "carmen.vidal@example.com", FRONTEND, "es", "scheduled"),
    PlannedInterview("aisha", "aisha.khan@example.com", BACKEND, "en", "scheduled"),
    PlannedInterview("daniel", "daniel.okafor@example.com", DATA, "en", "scheduled"),
    PlannedInterview("cancelled", "marc.puig@example.com", DATA, "es", "cancelled"),
]


# Interviews whose candidate has not been read the notice yet: their live page
# shows the notice step before "Start interview".
UNTOLD = {"carmen"}


def _slots() -> dict[str, datetime]:
    """When each interview is (re)scheduled, in the server's time zone: the replay
    target within the hour, the rest over the coming days."""
    now = timezone.localtime()
    soon = (now + timedelta(minutes=75)).replace(second=0, microsecond=0)
    soon -= timedelta(minutes=soon.minute % 15)

    def day(offset: int, hour: int, minute: int = 0) -> datetime:
        date = now.date() + timedelta(days=offset)
        return timezone.make_aware(datetime.combine(date, time(hour, minute)))

    return {
        "showcase": day(-1, 10),
        "replay": soon,
        "live": now - timedelta(minutes=10),
        "carmen": day(1, 10),
        "aisha": day(2, 12, 30),
        "daniel": day(3, 16),
        "cancelled": day(1, 17),
    }


class Command(BaseCommand):
    help = "Create (or complete) idempotent demo data. Refuses with DEBUG=False unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG=False (it creates users with a known password).",
        )
        parser.add_argument(
            "--reset-demo",
            action="store_true",
            help=(
                "Delete the interviews the English recording was replayed into (with "
                "their scorecards and notes) instead of keeping them."
            ),
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates users with a known password; it refuses to run with "
                "DEBUG=False. Pass --force if this really is a demo server."
            )
        self.said: list[str] = []
        with transaction.atomic():
            interviewer, recruiter = self._users()
            positions = {p["title"]: self._position(p) for p in POSITIONS}
            candidates = {c["email"]: self._candidate(c) for c in CANDIDATES}
            interviews = self._interviews(
                interviewer, candidates, positions, reset=options["reset_demo"]
            )
        showcase_made = self._showcase(interviews["showcase"])
        self._report(interviewer, recruiter, interviews, showcase_made)

    # --- People and positions ------------------------------------------------------

    def _users(self) -> tuple[User, User]:
        interviewer = self._user(INTERVIEWER_EMAIL, "Elena Campos", staff=False)
        recruiter = self._user(RECRUITER_EMAIL, "Raúl Ortega", staff=True)
        group, _ = Group.objects.get_or_create(name=RECRUITERS_GROUP)
        wanted = Permission.objects.filter(content_type__app_label__in=RECRUITER_APPS) | (
            Permission.objects.filter(content_type__app_label="accounts", codename="view_user")
        )
        group.permissions.add(*wanted)
        recruiter.groups.add(group)
        return interviewer, recruiter

    def _user(self, email: str, name: str, *, staff: bool) -> User:
        password = settings.DEMO_PASSWORD
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # The manager gives local users their `local:<uuid>` clerk_id.
            return User.objects.create_user(email, password, name=name, is_staff=staff)
        changed = []
        for field, value in (("name", name), ("is_staff", staff), ("is_active", True)):
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        # Only when it differs: re-hashing the same password would change the row.
        if not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
        return user

    def _position(self, spec: dict) -> JobPosition:
        position = JobPosition.objects.filter(title=spec["title"]).first()
        if position is None:
            position = JobPosition(**spec)
            position.full_clean()
            position.save()
        return position

    def _candidate(self, spec: dict) -> Candidate:
        candidate = Candidate.objects.filter(email__iexact=spec["email"]).first()
        if candidate is not None:
            return candidate
        # Through the CV upload path, like a recruiter's JSON Resume: the parser
        # gives cv_data its normalised shape (skill keys, work periods, years).
        upload = SimpleUploadedFile(
            "resume.json",
            json.dumps(spec["resume"], ensure_ascii=False).encode(),
            content_type="application/json",
        )
        return candidate_create(
            name=spec["name"],
            email=spec["email"],
            phone=spec["phone"],
            jira_ticket=spec["jira_ticket"],
            cv_upload=upload,
        )

    # --- Interviews --------------------------------------------------------------------

    def _interviews(
        self, interviewer: User, candidates: dict, positions: dict, *, reset: bool
    ) -> dict[str, Interview]:
        slots = _slots()
        made: dict[str, Interview] = {}
        for plan in PLANNED:
            candidate = candidates[plan.candidate_email]
            position = positions[plan.position_title]
            if plan.key == "replay":
                interview = self._replay_target(candidate, position, interviewer, reset=reset)
            else:
                interview = (
                    Interview.objects.filter(candidate=candidate, job_position=position)
                    .order_by("pk")
                    .first()
                )
            if interview is None:
                interview = interview_schedule(
                    candidate=candidate,
                    interviewer=interviewer,
                    job_position=position,
                    scheduled_at=slots[plan.key],
                    language=plan.language,
                )
                if plan.key not in UNTOLD:
                    # Read aloud and agreed, as before any interview that is recorded.
                    notice_record(
                        interview=interview,
                        decision=NoticeDecision.AGREED,
                        channel=NoticeChannel.SPOKEN,
                        by=interviewer,
                    )
                if plan.status in (InterviewStatus.LIVE, InterviewStatus.CANCELLED):
                    interview = interview_transition(
                        interview=interview, to=plan.status, by=interviewer
                    )
            elif interview.status == InterviewStatus.SCHEDULED:
                Interview.objects.filter(pk=interview.pk).update(scheduled_at=slots[plan.key])
            made[plan.key] = interview
        return made

    def _replay_target(
        self, candidate: Candidate, position: JobPosition, interviewer: User, *, reset: bool
    ) -> Interview | None:
        """The scheduled interview the English recording is replayed into. One a
        replay used is kept with whatever was added to it (a scorecard, notes, a
        decision), unless `reset`; a new one is made for the next replay."""
        rows = list(
            Interview.objects.filter(
                candidate=candidate, job_position=position, interviewer=interviewer
            ).order_by("pk")
        )
        used = [i for i in rows if not self._pristine(i)]
        if used and reset:
            ids = ", ".join(str(i.pk) for i in used)
            for interview in used:
                interview.delete()
            self.said.append(
                f"--reset-demo: deleted interview {ids} (the recording was replayed into it)."
            )
        elif used:
            ids = ", ".join(str(i.pk) for i in used)
            self.said.append(
                f"Kept interview {ids}: the recording was replayed into it, and it keeps "
                "anything you added. The next replay goes into a fresh interview "
                "(--reset-demo deletes the replayed ones)."
            )
        pristine = [i for i in rows if self._pristine(i)]
        return pristine[-1] if pristine else None

    @staticmethod
    def _pristine(interview: Interview) -> bool:
        return (
            interview.status == InterviewStatus.SCHEDULED
            and not Transcript.objects.filter(interview=interview).exists()
        )

    def _showcase(self, interview: Interview) -> bool:
        """Run the Spanish recording through the real pipeline; True if it ran now.

        Each step is safe to repeat, so a run that stopped half way is finished by
        the next one rather than duplicated.
        """
        interview.refresh_from_db()
        made_now = interview.status == InterviewStatus.SCHEDULED
        if made_now:
            interview = interview_transition(
                interview=interview, to=InterviewStatus.LIVE, by=interview.interviewer
            )
        if interview.status == InterviewStatus.LIVE:
            messages = load_recording(SHOWCASE_RECORDING)
            for first in range(0, len(messages), INGEST_BATCH):
                transcript_ingest(
                    interview=interview, results=messages[first : first + INGEST_BATCH]
                )
            # Analysis while live (roles, then each answer in order), as the server's
            # runner would do it as the chunks arrive.
            analyze_pending(interview.pk)
            interview = interview_transition(
                interview=interview, to=InterviewStatus.COMPLETED, by=interview.interviewer
            )
        # Anything left pending, then the scorecard (the runner's step after analysis).
        analyze_pending(interview.pk)
        card = Scorecard.objects.filter(interview=interview).first()
        if card is None or card.state != ScorecardState.READY:
            scorecard_generate(interview=interview)
        if made_now:
            self._lay_out_as_recorded(interview)
        return made_now

    def _lay_out_as_recorded(self, interview: Interview) -> None:
        """Give the showcase the times it would have had live, yesterday at its
        slot: ingest and analysis wrote every row within a second, so the interview
        lasted "0 minutes" and every insight had the same minute."""
        interview.refresh_from_db()
        if interview.scheduled_at is None:
            return
        began = interview.scheduled_at + SHOWCASE_LATE
        rows = list(Transcript.objects.filter(interview=interview))
        for row in rows:
            row.timestamp = began + timedelta(milliseconds=row.offset_ms)
        Transcript.objects.bulk_update(rows, ["timestamp"])
        ends = {row.pk: row.timestamp + timedelta(milliseconds=row.duration_ms) for row in rows}
        insights = list(AIInsight.objects.filter(interview=interview))
        last_words = max(ends.values(), default=began)
        for insight in insights:
            answer_end = ends.get(insight.transcript_id, last_words)
            insight.timestamp = answer_end + INSIGHT_DELAY
        AIInsight.objects.bulk_update(insights, ["timestamp"])
        ended = last_words + WRAP_UP
        Interview.objects.filter(pk=interview.pk).update(started_at=began, completed_at=ended)
        Scorecard.objects.filter(interview=interview).update(generated_at=ended + INSIGHT_DELAY)

    # --- Output ------------------------------------------------------------------------

    def _report(
        self, interviewer: User, recruiter: User, interviews: dict, showcase_made: bool
    ) -> None:
        out = self.stdout.write
        showcase, replay, live = interviews["showcase"], interviews["replay"], interviews["live"]
        counts = {
            "transcript rows": Transcript.objects.filter(interview=showcase).count(),
            "insights": AIInsight.objects.filter(interview=showcase).count(),
        }
        card = Scorecard.objects.filter(interview=showcase).first()
        out(self.style.SUCCESS("Demo data ready."))
        out(f"  Interviewer:          {interviewer.email}  password: {settings.DEMO_PASSWORD}")
        out(
            f"  Recruiter (staff):    {recruiter.email}  password: {settings.DEMO_PASSWORD}"
            "  (admin: /admin/)"
        )
        out(
            f"  Completed interview:  {showcase.pk} ({showcase.candidate.name}, es) with "
            f"{counts['transcript rows']} transcript rows, {counts['insights']} insights, "
            f"scorecard {card.state if card else 'missing'}"
            f"{' (made now by the pipeline)' if showcase_made else ''}"
            f"  /interviews/{showcase.pk}/"
        )
        out(f"  Live interview:       {live.pk} ({live.candidate.name})")
        for key in sorted(UNTOLD):
            untold = interviews[key]
            out(
                f"  Notice not read yet:  {untold.pk} ({untold.candidate.name}): its live page "
                f"asks for the candidate's answer first  /interviews/{untold.pk}/live/"
            )
        out(
            f"  Ready for replay:     {replay.pk} ({replay.candidate.name}, en, scheduled "
            f"{timezone.localtime(replay.scheduled_at):%Y-%m-%d %H:%M})  "
            f"/interviews/{replay.pk}/live/"
        )
        out(
            "  With the server running, replay the English recording into it:\n"
            f"    python manage.py replay_interview {REPLAY_RECORDING.relative_to(settings.BASE_DIR)}"
            f" --interview {replay.pk}"
        )
        for line in self.said:
            out(f"  {line}")
        out(f"REPLAY_INTERVIEW_ID={replay.pk}")
