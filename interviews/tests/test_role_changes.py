"""Roles from the transcript, whatever way it arrives; and when roles change, what
was analysed under the old ones is superseded and analysed again."""

from __future__ import annotations

import pytest

import interviews.analysis.runner as runner_module
from interviews.analysis.base import ChunkAnalysis, InsightDraft
from interviews.analysis.builtin import BuiltinProvider
from interviews.analysis.runner import analyze_interview
from interviews.analysis.services import chunk_analysis_commit
from interviews.live.ingest import transcript_ingest
from interviews.models import AIInsight, InterviewEvent, Transcript
from interviews.selectors import interview_insights, live_page_state
from interviews.services import interview_set_roles
from interviews.tests.deepgram_messages import results

# An Argentine interview: the candidate (speaker_0) speaks first and asks back
# "¿y vos?"; the interviewer (speaker_1) mostly gives requests ("contame"),
# often without question marks, calls the candidate by name and speaks of the
# company from inside ("acá en"). The candidate talks about the CV's companies.
TURNS = [
    (0, "hola, ¿me escuchás bien? ¿y vos cómo andás?"),
    (1, "hola Lucía, sí, te escucho perfecto. todo bien por suerte"),
    (0, "buenísimo, gracias por el espacio"),
    (
        1,
        "bueno, te cuento rápido. acá en Cuotify somos unas ochenta personas y buscamos "
        "alguien para el equipo de pagos. contame un poco de tu experiencia",
    ),
    (
        0,
        "dale. yo arranqué en Pagoya como desarrolladora backend, estuve tres años con Python "
        "y Kafka, y después me fui a Telar donde hoy lidero la integración con los bancos",
    ),
    (1, "bien. y contame cómo manejaban los reintentos en Kafka"),
    (
        0,
        "teníamos un tópico de reintentos con backoff y una cola de mensajes muertos; bajamos "
        "los pagos perdidos de unos cuarenta por semana a cero en dos meses",
    ),
    (1, "ok. decime qué métricas mirabas del producto"),
    (0, "y, las métricas normales, un poco de todo, lo típico que mira todo el mundo"),
    (1, "entiendo. che, ¿cuántos años tenés, Lucía?"),
    (0, "treinta y cuatro"),
    (1, "perfecto. contame de algún conflicto con otro equipo y cómo lo resolviste"),
    (
        0,
        "con riesgo no nos poníamos de acuerdo sobre los límites; propuse medir una semana "
        "con datos reales y con eso acordamos un límite que redujo los rechazos a la mitad",
    ),
    (1, "buenísimo. ¿tenés alguna pregunta para mí?"),
    (0, "sí, ¿y vos hace cuánto estás en la empresa? ¿cómo es el equipo?"),
    (1, "yo hace dos años, y el equipo son seis personas"),
]


def messages() -> list[dict]:
    """Two finals per turn (speech-to-text splits answers), offsets advancing."""
    out = []
    t = 0.0
    for speaker, text in TURNS:
        words = text.split()
        half = max(1, len(words) // 2)
        pieces = [piece for piece in (words[:half], words[half:]) if piece]
        for n, piece in enumerate(pieces, 1):
            # Deepgram's endpointing: the speaker finished at the end of the turn.
            out.append(
                results(
                    " ".join(piece),
                    start=t,
                    speaker=speaker,
                    request_id="r1",
                    speech_final=n == len(pieces),
                )
            )
            t += len(piece) * 0.3 + 0.1
        t += 0.5
    return out


@pytest.fixture
def argentine_interview(live_interview):
    candidate = live_interview.candidate
    candidate.cv_data = {
        "work": [
            {"company": "Pagoya", "position": "Desarrolladora backend"},
            {"company": "Telar", "position": "Tech lead"},
        ],
        "skills": [{"name": "Python"}, {"name": "Kafka"}],
    }
    candidate.save()
    runner_module._roles_seen.clear()
    return live_interview


def feed_view(interview) -> list[tuple]:
    """What the interviewer sees: current insights by chunk text."""
    return sorted(
        (i.transcript.text, i.type, i.topic or "", i.content)
        for i in AIInsight.objects.current()
        .filter(interview=interview)
        .select_related("transcript")
    )


def run(interview) -> None:
    analyze_interview(interview.pk, providers=[BuiltinProvider()])


TRUTH = {"host": "speaker_1", "guest": "speaker_0"}


@pytest.mark.django_db
def test_the_argentine_interviewer_is_found_from_requests_names_and_the_cv(argentine_interview):
    transcript_ingest(interview=argentine_interview, results=messages())
    run(argentine_interview)
    argentine_interview.refresh_from_db()
    assert argentine_interview.roles == TRUTH
    assert argentine_interview.roles_confidence >= 70
    protected = AIInsight.objects.current().filter(topic="protected_question")
    assert [i.transcript.speaker for i in protected] == ["speaker_1"]


def _replay(interview, mode: str) -> tuple[dict, int, list[tuple]]:
    msgs = messages()
    if mode == "batch":
        transcript_ingest(interview=interview, results=msgs)
        run(interview)
    elif mode == "live":
        for m in msgs:
            transcript_ingest(interview=interview, results=[m])
            run(interview)
    else:  # restart: the server dies half way; a new process knows only the database
        for m in msgs[: len(msgs) // 2]:
            transcript_ingest(interview=interview, results=[m])
            run(interview)
        runner_module._roles_seen.clear()
        runner_module._local_claims.clear()
        for m in msgs[len(msgs) // 2 :]:
            transcript_ingest(interview=interview, results=[m])
            run(interview)
    interview.refresh_from_db()
    return interview.roles, interview.roles_confidence, feed_view(interview)


@pytest.mark.django_db
def test_the_same_transcript_gives_the_same_roles_however_it_arrives(argentine_interview):
    from interviews.models import Interview

    outcomes = {}
    for mode in ("batch", "live", "restart"):
        interview = Interview.objects.create(
            candidate=argentine_interview.candidate,
            interviewer=argentine_interview.interviewer,
            job_position=argentine_interview.job_position,
            status="live",
        )
        outcomes[mode] = _replay(interview, mode)
    assert outcomes["batch"][0] == TRUTH
    assert outcomes["live"] == outcomes["batch"]
    assert outcomes["restart"] == outcomes["batch"]


@pytest.mark.django_db
def test_greetings_alone_never_make_a_confident_guess(argentine_interview):
    transcript_ingest(interview=argentine_interview, results=messages()[:6])  # three turns
    transcript_ingest(
        interview=argentine_interview,
        results=[results("¿me escuchás?", start=60.0, speaker=1, request_id="r1")],
    )
    run(argentine_interview)
    argentine_interview.refresh_from_db()
    assert (argentine_interview.roles_confidence or 0) < runner_module.ROLE_CONFIDENT
    assert not AIInsight.objects.filter(interview=argentine_interview).exists()


class Recording(BuiltinProvider):
    def __init__(self) -> None:
        self.seen: list[int] = []

    async def analyze_chunk(self, context):
        self.seen.append(context.chunk.transcript_id)
        return await super().analyze_chunk(context)


@pytest.mark.django_db
def test_a_swap_supersedes_reanalyses_once_in_order_and_a_swap_back_restores_the_feed(
    argentine_interview,
):
    interview = argentine_interview
    transcript_ingest(interview=interview, results=messages())
    run(interview)
    interview.refresh_from_db()
    assert interview.roles == TRUTH
    before = feed_view(interview)
    first_ids = set(AIInsight.objects.current().values_list("pk", flat=True))
    assert before and interview.analysis_state.get("scores")
    chunks = list(Transcript.objects.final().filter(interview=interview).chronological())
    last_seq = interview.last_seq

    # The interviewer swaps the roles by hand.
    interview_set_roles(interview=interview, host="speaker_0", guest="speaker_1")
    interview.refresh_from_db()
    assert not AIInsight.objects.filter(pk__in=first_ids, superseded_at__isnull=True).exists()
    assert Transcript.objects.pending_analysis().filter(interview=interview).count() == len(chunks)
    assert interview.analysis_state == {}
    # Each superseded insight is sent again with superseded_at set, so pages drop it.
    resent = InterviewEvent.objects.filter(interview=interview, seq__gt=last_seq, type="insight")
    assert {e.object_id for e in resent} == first_ids
    assert all(e.data["superseded_at"] for e in resent)
    # It leaves the live page, the timeline and the scorecard's counting insights.
    assert not [i for i in live_page_state(interview)["insights"] if i["id"] in first_ids]
    assert not set(interview_insights(interview).values_list("pk", flat=True)) & first_ids
    assert not AIInsight.objects.counting().filter(pk__in=first_ids).exists()
    # ...and stays readable (the admin lists every row).
    assert AIInsight.objects.filter(pk__in=first_ids).count() == len(first_ids)

    provider = Recording()
    analyze_interview(interview.pk, providers=[provider])
    # Once each, in order: one analysis per turn (an answer or an interviewer's
    # turn is analysed whole), every chunk marked analysed.
    assert provider.seen == sorted(provider.seen) and len(provider.seen) == len(TURNS)
    assert not Transcript.objects.pending_analysis().filter(interview=interview).exists()
    swapped = feed_view(interview)
    assert swapped != before
    # Under the swapped roles the age question is the "candidate's" words: no alert.
    assert (
        not AIInsight.objects.current()
        .filter(interview=interview, topic="protected_question", transcript__speaker="speaker_1")
        .exists()
    )

    interview_set_roles(interview=interview, host="speaker_1", guest="speaker_0")
    provider = Recording()
    analyze_interview(interview.pk, providers=[provider])
    assert provider.seen == sorted(provider.seen) and len(provider.seen) == len(TURNS)
    assert feed_view(interview) == before
    interview.refresh_from_db()
    assert interview.roles == TRUTH and interview.roles_confidence == 100


@pytest.mark.django_db
def test_confirming_the_same_roles_supersedes_nothing(argentine_interview):
    transcript_ingest(interview=argentine_interview, results=messages())
    run(argentine_interview)
    current = AIInsight.objects.current().count()
    interview_set_roles(interview=argentine_interview, **TRUTH)
    assert AIInsight.objects.current().count() == current
    assert not Transcript.objects.pending_analysis().exists()


@pytest.mark.django_db
def test_an_analysis_made_under_old_roles_is_refused_at_commit(argentine_interview):
    transcript_ingest(interview=argentine_interview, results=messages()[:4])
    interview_set_roles(interview=argentine_interview, **TRUTH)
    first = Transcript.objects.chronological().first()
    analysis = ChunkAnalysis(insights=[InsightDraft(type="note", content="x")], state={})
    stale = {"host": "speaker_0", "guest": "speaker_1"}
    assert (
        chunk_analysis_commit(
            interview_id=argentine_interview.pk,
            transcript_ids=[first.pk],
            analysis=analysis,
            provider="p",
            roles=stale,
        )
        is None
    )
    assert not AIInsight.objects.exists()
    assert chunk_analysis_commit(
        interview_id=argentine_interview.pk,
        transcript_ids=[first.pk],
        analysis=analysis,
        provider="p",
        roles=TRUTH,
    )
