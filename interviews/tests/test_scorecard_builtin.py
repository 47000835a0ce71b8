"""Scorecards from scripted interviews through the real pipeline: Deepgram chunks
ingested while live, the analysis runner with the built-in provider, completion,
and the runner's scorecard step, exactly as a server does it."""

from __future__ import annotations

import pytest

from interviews.analysis.runner import analyze_pending
from interviews.live.ingest import transcript_ingest
from interviews.models import InterviewEvent, Scorecard
from interviews.scorecards.services import scorecard_context, scorecard_generate
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results

pytestmark = pytest.mark.django_db

HOST, GUEST = 1, 0

# A demo-like interview for the Backend Developer position: a strong candidate.
STRONG = [
    (
        "Hola Lucía, gracias por venir. Cuéntame un logro del que estés orgullosa.",
        "En Cabify reduje el tiempo de despliegue de 40 minutos a 8 paralelizando los tests "
        "en GitHub Actions y cacheando las imágenes de Docker; el equipo pasó de desplegar "
        "dos veces por semana a varias veces al día.",
    ),
    (
        "¿Cómo mejoraste el rendimiento de la aplicación?",
        "Detectamos con el profiler que el ORM de Django hacía más de 300 consultas por "
        "página. Metí select_related y prefetch_related, añadí un índice en PostgreSQL y la "
        "página pasó de 2,5 segundos a 180 milisegundos.",
    ),
    (
        "¿Has liderado equipos?",
        "Sí, durante dos años lideré un equipo de seis personas. Cuando llegué, la rotación "
        "era altísima; implanté one-to-ones quincenales y un plan de carrera, y en un año no "
        "se fue nadie.",
    ),
    (
        "¿Cuál fue tu mayor reto técnico?",
        "Teníamos una cola de pedidos que perdía mensajes en los picos de Black Friday. "
        "Propuse migrar de RabbitMQ a Kafka con particionado por cliente; lo implantamos en "
        "tres meses y ese año procesamos 1,2 millones de pedidos sin perder ninguno.",
    ),
    (
        "¿Cómo aseguras la calidad del código?",
        "En mi equipo actual introduje pytest con cobertura obligatoria en la CI y revisiones "
        "de código por parejas; los bugs en producción bajaron de unos quince al mes a tres.",
    ),
    (
        "¿Qué experiencia tienes con Python?",
        "Cinco años con Python, los últimos cuatro con Django. Escribí el motor de "
        "facturación que hoy genera unas 50.000 facturas al mes.",
    ),
]

WEAK = [
    (
        "Hola, gracias por venir. ¿Cómo gestionaste el último proyecto difícil?",
        "Pues bueno, lo fuimos sacando entre todos, un poco como se podía, la verdad es que "
        "salió bien al final.",
    ),
    (
        "¿Qué experiencia tienes con bases de datos?",
        "Sí, bastante, he tocado un poco de todo, lo normal en cualquier proyecto.",
    ),
    (
        "¿Por qué dejaste tu último trabajo?",
        "Prefiero no entrar en eso, la verdad. Pasemos a otra cosa si te parece.",
    ),
    (
        "¿Cómo mejoraste el rendimiento de la aplicación?",
        "Optimizamos varias cosas aquí y allá y al final iba mejor, más o menos.",
    ),
    (
        "¿Cuál fue tu aportación personal al rediseño?",
        "Es que fue un trabajo de equipo, no me gusta hablar en primera persona, lo hicimos todos.",
    ),
    (
        "¿Cómo aseguras la calidad del código?",
        "Intento hacerlo bien, ser cuidadoso, revisar las cosas, lo típico.",
    ),
    (
        "¿Cuál fue el resultado del proyecto?",
        "Mejor no entro en números, prefiero no comentar eso.",
    ),
]


def run_interview(interview, dialogue, request_id="demo-1"):
    """Ingest the dialogue as diarised Deepgram finals, analyse it live, complete
    the interview, and let the runner write the scorecard."""
    start = 0.0
    for question, answer in dialogue:
        for speaker, text in ((HOST, question), (GUEST, answer)):
            message = results(
                [(speaker, w) for w in text.split()], start=start, request_id=request_id
            )
            transcript_ingest(interview=interview, results=message)
            start += 0.3 * len(text.split()) + 0.5
        analyze_pending(interview.pk)
    interview_transition(interview=interview, to="completed")
    analyze_pending(interview.pk)
    return Scorecard.objects.get(interview=interview)


def test_a_strong_interview_gets_a_hire_scorecard_grounded_in_the_transcript(live_interview):
    card = run_interview(live_interview, STRONG)

    assert card.state == "ready"
    assert card.provider == "builtin"
    assert card.recommendation_verdict == "hire", card.recommendation
    assert card.overall_score >= 7
    assert card.english is None  # an all-Spanish interview has no English evidence
    assert card.technical is not None
    assert card.strengths
    texts = {t.pk: t.text for t in live_interview.transcripts.all()}
    for entry in card.strengths + card.weaknesses:
        assert entry["quote"] in texts[entry["transcript_id"]]
    states = [
        e.data["state"]
        for e in InterviewEvent.objects.filter(interview=live_interview, type="scorecard")
    ]
    assert states == ["generating", "ready"]


def test_a_weak_interview_gets_a_no_hire_scorecard(live_interview):
    card = run_interview(live_interview, WEAK)

    assert card.state == "ready"
    assert card.recommendation_verdict == "no_hire", card.recommendation
    assert card.overall_score < 5.5
    assert card.weaknesses


def test_the_builtin_scorecard_is_deterministic_and_regeneration_changes_only_the_version(
    live_interview,
):
    card = run_interview(live_interview, STRONG)

    again = scorecard_generate(interview=live_interview)

    assert again.version == 2
    assert again.recommendation == card.recommendation
    assert again.dimension_scores() == card.dimension_scores()
    assert again.strengths == card.strengths


def test_the_provider_gets_the_running_state_the_live_analysis_left(live_interview):
    run_interview(live_interview, STRONG)
    live_interview.refresh_from_db()

    context = scorecard_context(live_interview)

    assert {u.role for u in context.utterances} == {"host", "guest"}
    assert len(context.utterances) == 2 * len(STRONG)
    assert context.state["scores"] == live_interview.analysis_state["scores"]
    assert context.state["scores"]["technical"] >= 7


ENGLISH = [
    (
        "Thanks for joining. Tell me about an achievement.",
        "At my last company I cut deploy time from 40 minutes to 8 by parallelizing the test "
        "suite in GitHub Actions and caching Docker layers, so we went from deploying twice a "
        "week to several times a day.",
    ),
    (
        "How did you improve performance?",
        "The profiler showed Django's ORM firing over 300 queries per page. I added "
        "select_related and prefetch_related plus an index in PostgreSQL, and the page dropped "
        "from 2.5 seconds to 180 milliseconds.",
    ),
    (
        "Have you led a team?",
        "Yes, I led a team of six for two years. Turnover was really high when I joined, so I "
        "started biweekly one-to-ones and a career ladder, and the following year nobody left.",
    ),
    (
        "What was your biggest technical challenge?",
        "Our order queue was dropping messages during Black Friday peaks. I proposed moving "
        "from RabbitMQ to Kafka partitioned by customer; we rolled it out in three months and "
        "that year we processed 1.2 million orders without losing one.",
    ),
]


def test_an_english_interview_is_scored_on_english_too(live_interview):
    live_interview.language = "en"
    live_interview.save(update_fields=["language"])

    card = run_interview(live_interview, ENGLISH)

    assert card.state == "ready"
    assert card.english is not None
    assert card.recommendation_verdict in ("hire", "maybe")
    assert card.summary


def test_the_demo_interview_gets_a_weighted_scorecard_that_never_counts_the_protected_question(
    live_interview,
):
    """The Spanish demo recording (an English stretch, a protected question, a
    contradiction, evasive answers) with the demo position's weights."""
    from interviews.live.recordings import load_recording
    from interviews.management.commands.seed_demo import POSITIONS, SHOWCASE_RECORDING
    from interviews.scorecards.services import dimension_weights, effective_scores, overall_score

    position = live_interview.job_position
    position.requirements = POSITIONS[0]["requirements"]
    position.save()
    transcript_ingest(interview=live_interview, results=load_recording(SHOWCASE_RECORDING))
    analyze_pending(live_interview.pk)
    interview_transition(interview=live_interview, to="completed")
    analyze_pending(live_interview.pk)

    card = Scorecard.objects.get(interview=live_interview)
    assert card.state == "ready", card.failure_reason
    assert card.provider == "builtin"
    assert card.recommendation_verdict in ("hire", "maybe", "no_hire")
    assert card.english is not None  # the interviewer switched to English for a while
    weights = dimension_weights(position.requirements)
    assert weights["technical"] == 3
    assert card.overall_score == overall_score(
        effective_scores(card.ai_scores, card.manual_scores), weights
    )
    # Every quote stands verbatim in the row it names.
    context = scorecard_context(live_interview)
    assert card.strengths or card.weaknesses
    rows = {u.transcript_id: u.text for u in context.utterances}
    for entry in [*card.strengths, *card.weaknesses]:
        assert entry["quote"] in rows[entry["transcript_id"]]
    # The protected question is an insight for the interviewer, never evidence.
    protected = live_interview.insights.filter(topic="protected_question")
    assert protected.exists()
    assert all(i["topic"] != "protected_question" for i in context.insights)
