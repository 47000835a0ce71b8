"""Judgements need evidence, and describe what was said: pleasantries are not
answers, a language level needs words in that language, running scores start
empty, and output that labels emotions or character is refused."""

from __future__ import annotations

import pytest

from interviews.analysis.base import (
    ChunkAnalysis,
    EvidenceEntry,
    InsightDraft,
    InvalidOutput,
    ScorecardDraft,
    Utterance,
    load_rubric,
    rubric_text,
)
from interviews.analysis.builtin import analyze
from interviews.analysis.builtin.lexicon import is_small_talk
from interviews.analysis.llm import load_prompt
from interviews.analysis.validation import (
    inner_state_words,
    validate_chunk_analysis,
    validate_scorecard,
)
from interviews.tests.test_builtin_provider import guest, host


@pytest.mark.parametrize(
    "question, text, language",
    [
        ("¿Qué tal, Javier?", "Tenía muchas ganas de hablar con vosotros", "es"),
        ("¿me escuchás bien?", "sí, perfecto, todo bien, ¿y vos?", "es"),
        ("Hola, ¿cómo le va?", "Muy bien, gracias, listo, aquí conectado", "es"),
        ("Can you hear me?", "Sure.", "en"),
        (
            "Thanks a lot for your time today.",
            "Thank you, it was a pleasure, have a good day!",
            "en",
        ),
        ("¿Empezamos?", "Dale, cuando quieras.", "es"),
    ],
)
def test_pleasantries_raise_no_flag_and_no_score(question, text, language):
    result = analyze(guest(text, question=question, language=language))
    assert result.insights == []
    assert result.state["scores"] == {}


def test_a_real_answer_is_not_small_talk():
    assert not is_small_talk("Estuve cinco años en Telefónica.")
    assert not is_small_talk("Claro, perfecto, gracias: usé Kafka tres años en Globant")
    assert not is_small_talk("I have eight years of experience.")
    assert is_small_talk("hola Martín, ¿cómo estás? ¿me escuchás?")


def test_running_scores_start_empty_and_move_only_on_evidence():
    state = analyze(host("Hola, ¿qué tal? Bienvenida.")).state
    assert state["scores"] == {}
    state = analyze(guest("Hola, muy bien, gracias.", question="¿Qué tal?", state=state)).state
    assert state["scores"] == {}
    answer = (
        "En mi último puesto migramos la API de Django a PostgreSQL 15 y bajamos la latencia "
        "de 800 a 120 milisegundos; yo diseñé los índices y escribí los tests."
    )
    state = analyze(guest(answer, question="Cuéntame un proyecto técnico.", state=state, n=4)).state
    assert state["scores"].get("technical")


def test_no_english_level_from_a_single_word():
    state = analyze(guest("Trabajo con Django desde hace tres años.")).state
    result = analyze(guest("Sure.", question="Can we switch to English?", state=state, n=4))
    assert "english" not in result.state["scores"]


def test_the_rubric_has_3_5_7_9_for_six_dimensions_in_both_languages():
    rubric = load_rubric()
    assert set(rubric) == {
        "technical",
        "communication",
        "attitude",
        "strategic",
        "leadership",
        "english",
    }
    for levels in rubric.values():
        for language in ("es", "en"):
            assert set(levels[language]) == {"3", "5", "7", "9"}
    assert "casi nativo" in rubric_text("es") and "near-native" in rubric_text("en")


@pytest.mark.parametrize(
    "content",
    [
        "El candidato parece nervioso al hablar de Kafka.",
        "Candidate seems dishonest about the migration.",
        "Se pone a la defensiva cuando se le pregunta por el equipo.",
        "Arrogant personality.",
        "Muestra inseguridad.",
    ],
)
def test_insights_that_label_emotions_or_character_are_refused(content):
    analysis = ChunkAnalysis(insights=[InsightDraft(type="red-flag", content=content)], state={})
    with pytest.raises(InvalidOutput, match="emotions or character"):
        validate_chunk_analysis(analysis, ["texto"])


def test_insights_about_what_was_said_pass_and_quotes_are_exempt():
    said = "Estaba muy nervioso ese día, pero migramos todo."
    analysis = ChunkAnalysis(
        insights=[
            InsightDraft(
                type="red-flag",
                content="No da un ejemplo concreto; no respondió la pregunta sobre Kafka.",
                suggestion="Did not answer the question about on-call: ask it again.",
                evidence="Estaba muy nervioso ese día",
            )
        ],
        state={},
    )
    assert validate_chunk_analysis(analysis, [said]).insights[0].evidence
    assert inner_state_words("did not answer the question about X") == []


def test_a_scorecard_that_labels_the_candidate_is_refused():
    rows = [Utterance(transcript_id=1, speaker="speaker_1", role="guest", text="Usé Kafka.")]
    draft = ScorecardDraft(
        scores={"technical": 6},
        verdict="maybe",
        justification="Answers were thin and the candidate was anxious.",
        strengths=[EvidenceEntry(text="Names a tool", quote="Usé Kafka.", transcript_id=1)],
    )
    with pytest.raises(InvalidOutput):
        validate_scorecard(draft, rows)
    draft.justification = "Answers name tools but give no figures."
    assert validate_scorecard(draft, rows).verdict == "maybe"


def test_the_prompts_say_what_was_said_and_carry_the_people():
    chunk, roles, scorecard = (load_prompt(n) for n in ("chunk", "roles", "scorecard"))
    assert "never" in chunk.system.template and "nervous" in chunk.system.template
    assert "$candidate_name" in chunk.user.template
    assert "$interviewer_name" in roles.user.template and "$cv_terms" in roles.user.template
    assert "$rubric" in scorecard.system.template


def test_the_scorecard_quotes_the_evidence_for_each_scored_dimension():
    from interviews.analysis.base import ScorecardContext
    from interviews.analysis.builtin import generate_scorecard_sync

    answer = (
        "En mi último puesto migramos la API de Django a PostgreSQL 15 y bajamos la latencia "
        "de 800 a 120 milisegundos; yo diseñé los índices y escribí los tests."
    )
    rows = [
        Utterance(transcript_id=1, speaker="speaker_0", role="host", text="Hola, ¿qué tal?"),
        Utterance(transcript_id=2, speaker="speaker_1", role="guest", text="Muy bien, gracias."),
        Utterance(
            transcript_id=3,
            speaker="speaker_0",
            role="host",
            text="Cuéntame un proyecto técnico del que estés orgullosa.",
        ),
        Utterance(transcript_id=4, speaker="speaker_1", role="guest", text=answer),
    ]
    draft = generate_scorecard_sync(
        ScorecardContext(
            interview_id=1,
            language="es",
            utterances=rows,
            insights=[],
            state={},
            requirements={"technical_skills": ["Django", "PostgreSQL"]},
            cv_data={},
            candidate_name="Lucía",
        )
    )
    scored = [d for d, v in draft.scores.items() if v is not None]
    assert "technical" in scored and draft.scores["english"] is None
    assert "Evidencia por dimensión" in draft.summary
    for line in draft.summary.split("Evidencia por dimensión:")[1].strip().splitlines():
        quote = line.split("«", 1)[1].split("»", 1)[0]
        assert quote in answer  # verbatim, from the candidate's answer
    assert "técnica" in draft.summary.split("Evidencia por dimensión:")[1]
