"""The built-in provider's scorecard: verdicts from scripted interviews, verbatim quotes."""

from __future__ import annotations

from candidates.requirements import DIMENSIONS
from interviews.analysis.base import (
    PROTECTED_QUESTION_TOPIC,
    ChunkContext,
    ScorecardContext,
    Utterance,
)
from interviews.analysis.builtin import BuiltinProvider, analyze, generate_scorecard_sync
from interviews.analysis.validation import validate_scorecard

REQUIREMENTS = {
    "technical_skills": ["Python", "Django", "PostgreSQL", "Docker", "AWS"],
    "experience": "5+ years",
    "english_level": "B2",
    "nice_to_have": ["Kubernetes", "Kafka"],
}

STRONG_ES = [
    ("host", "Bienvenida. Cuéntame tu experiencia con Python y Django."),
    (
        "guest",
        "Siete años con Python, los últimos cuatro con Django. Escribí el motor de "
        "facturación que hoy genera unas 50.000 facturas al mes.",
    ),
    ("host", "¿Cómo mejoraste el rendimiento de la aplicación?"),
    (
        "guest",
        "Detectamos con el profiler que el ORM de Django hacía más de 300 consultas por "
        "página. Añadí un índice en PostgreSQL y la página pasó de 2,5 segundos a 180 "
        "milisegundos.",
    ),
    ("host", "¿Has liderado equipos?"),
    (
        "guest",
        "Sí, durante dos años lideré un equipo de seis personas. Implanté one-to-ones "
        "quincenales y en un año no se fue nadie del equipo.",
    ),
    ("host", "¿Qué experiencia tienes con Docker y AWS?"),
    (
        "guest",
        "Dockericé los 14 servicios y los llevé a AWS con Terraform; montar un entorno "
        "nuevo pasó de dos días a veinte minutos y el coste bajó un 30 %.",
    ),
    ("host", "¿Cómo priorizas con negocio?"),
    (
        "guest",
        "Reviso las métricas con producto cada sprint. Vimos que el 60 % de los abandonos "
        "estaba en el pago, lo simplificamos y la conversión subió un 12 %.",
    ),
]

WEAK_ES = [
    ("host", "Cuéntame tu experiencia con Python."),
    ("guest", "Pues un poco de todo, la verdad, lo normal en cualquier proyecto y tal."),
    ("host", "¿Por qué dejaste tu último trabajo?"),
    ("guest", "Prefiero no entrar en eso, la verdad. Pasemos a otra cosa."),
    ("host", "¿Cuántos años de experiencia tienes?"),
    ("guest", "Tengo diez años de experiencia en el sector."),
    ("host", "¿Has usado Docker?"),
    ("guest", "Docker no lo he usado nunca, la verdad."),
    ("host", "¿Cómo mejoraste el rendimiento?"),
    ("guest", "Optimizamos varias cosas aquí y allá y al final iba mejor, más o menos."),
    ("host", "¿Cuál es tu mayor debilidad?"),
    ("guest", "Sinceramente no se me ocurre ninguna, no sabría qué contestarte."),
]
WEAK_CV = {"years_of_experience": 3, "skills": [{"name": "Docker", "key": "docker"}]}

STRONG_EN = [
    ("host", "Welcome. What's your Python experience?"),
    (
        "guest",
        "Seven years of Python, the last four with Django. I wrote the billing engine that "
        "now produces around 50,000 invoices a month.",
    ),
    ("host", "How did you improve performance?"),
    (
        "guest",
        "The profiler showed Django's ORM firing over 300 queries per page. I added an "
        "index in PostgreSQL, and the page dropped from 2.5 seconds to 180 milliseconds.",
    ),
    ("host", "What have you done with Docker?"),
    (
        "guest",
        "I containerized all 14 of our services with Docker and moved them to AWS; "
        "spinning up a new environment went from two days to twenty minutes.",
    ),
    ("host", "Have you led a team?"),
    (
        "guest",
        "Yes, I led a team of six for two years. I started biweekly one-to-ones and "
        "a career ladder, and the following year nobody left.",
    ),
]


def run_interview(turns, *, language="es", cv=None, requirements=REQUIREMENTS):
    """Analyse a scripted interview chunk by chunk, as the pipeline does."""
    utterances, insights, state, question = [], [], {}, None
    for n, (role, text) in enumerate(turns, start=1):
        speaker = "speaker_0" if role == "host" else "speaker_1"
        utterance = Utterance(transcript_id=100 + n, speaker=speaker, role=role, text=text)
        result = analyze(
            ChunkContext(
                interview_id=1,
                language=language,
                chunk=utterance,
                question=question if role == "guest" else None,
                requirements=requirements,
                cv_data=cv or {},
                state=state,
            )
        )
        state = result.state
        insights += [
            {**i.__dict__, "transcript_id": utterance.transcript_id, "dismissed": False}
            for i in result.insights
        ]
        utterances.append(utterance)
        question = text if role == "host" else question
    return utterances, insights, state


def scorecard_for(turns, *, language="es", cv=None, keep_state=True, insights_filter=None):
    utterances, insights, state = run_interview(turns, language=language, cv=cv)
    if insights_filter:
        insights = [i for i in insights if insights_filter(i)]
    context = ScorecardContext(
        interview_id=1,
        language=language,
        utterances=utterances,
        insights=insights,
        state=state if keep_state else {},
        requirements=REQUIREMENTS,
        cv_data=cv or {},
        candidate_name="Lucía Pérez",
    )
    return validate_scorecard(generate_scorecard_sync(context), utterances), utterances


def test_a_strong_candidate_is_a_hire_with_quoted_strengths():
    card, _ = scorecard_for(STRONG_ES)
    assert card.verdict == "hire"
    assert card.justification.startswith("Recomendación: contratar")
    assert len(card.strengths) >= 3
    assert card.weaknesses == []
    assert card.scores["technical"] >= 8
    assert "Lucía Pérez" in card.summary


def test_a_weak_candidate_is_a_no_hire_with_quoted_weaknesses():
    card, _ = scorecard_for(WEAK_ES, cv=WEAK_CV)
    assert card.verdict == "no_hire"
    assert card.justification.startswith("Recomendación: no contratar")
    assert card.strengths == []
    assert len(card.weaknesses) >= 4
    assert card.scores["attitude"] <= 5 and card.scores["communication"] <= 4


def test_every_quote_stands_verbatim_in_its_transcript_row():
    for turns, cv in ((STRONG_ES, None), (WEAK_ES, WEAK_CV), (STRONG_EN, None)):
        card, utterances = scorecard_for(
            turns, cv=cv, language="es" if turns is not STRONG_EN else "en"
        )
        texts = {u.transcript_id: u.text for u in utterances}
        for entry in card.strengths + card.weaknesses:
            assert entry.quote and entry.quote in texts[entry.transcript_id]
            assert entry.text


def test_an_all_spanish_interview_has_no_english_score():
    card, _ = scorecard_for(STRONG_ES)
    assert card.scores["english"] is None
    assert set(card.scores) == set(DIMENSIONS)
    assert "Inglés sin evaluar" in card.summary


def test_an_english_interview_is_scored_on_english_and_written_in_english():
    card, _ = scorecard_for(STRONG_EN, language="en")
    assert card.verdict == "hire"
    assert card.scores["english"] is not None and card.scores["english"] >= 7
    assert card.justification.startswith("Recommendation: hire")


def test_protected_question_notes_are_ignored_even_if_passed_in():
    turns = [("host", "¿Estás casada? ¿Tienes hijos?"), *STRONG_ES]
    card, _ = scorecard_for(turns)
    without, _ = scorecard_for(
        turns, insights_filter=lambda i: i["topic"] != PROTECTED_QUESTION_TOPIC
    )
    assert card.verdict == without.verdict == "hire"
    assert card.weaknesses == without.weaknesses == []
    assert card.scores == without.scores


def test_a_scorecard_without_running_state_replays_the_transcript():
    card, _ = scorecard_for(WEAK_ES, cv=WEAK_CV, keep_state=False)
    assert card.verdict == "no_hire"
    assert card.scores["english"] is None


def test_the_scorecard_is_deterministic():
    first, _ = scorecard_for(STRONG_ES)
    second, _ = scorecard_for(STRONG_ES)
    assert first == second


async def test_the_provider_generates_the_scorecard_asynchronously():
    utterances, insights, state = run_interview(STRONG_ES)
    context = ScorecardContext(
        interview_id=1,
        language="es",
        utterances=utterances,
        insights=insights,
        state=state,
        requirements=REQUIREMENTS,
        cv_data={},
        candidate_name="Lucía",
    )
    card = await BuiltinProvider().generate_scorecard(context)
    assert card.verdict == "hire"
