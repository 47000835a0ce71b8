"""Codes in words: every type, severity, sentiment and topic the analysis writes is
shown in words, in English and in Spanish, from interviews/labels.py."""

from __future__ import annotations

import pytest
from django.utils import translation

from interviews import labels
from interviews.models import InsightType, Sentiment, Severity
from tests.factories import AIInsightFactory, InterviewFactory, JobPositionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_code_has_words_in_both_languages(language):
    with translation.override(language):
        for choices, label in [
            (InsightType, labels.insight_type_label),
            (Severity, labels.severity_label),
            (Sentiment, labels.sentiment_label),
        ]:
            for code in choices.values:
                assert label(code) and label(code) != code, code
        for topic in labels.TOPIC_LABELS:
            words = labels.topic_label(topic)
            assert "_" not in words and words != topic


def test_spanish_says_each_topic_in_spanish():
    with translation.override("en"):
        english = {t: labels.topic_label(t) for t in labels.TOPIC_LABELS}
    with translation.override("es"):
        spanish = {t: labels.topic_label(t) for t in labels.TOPIC_LABELS}
    assert all(spanish[t] != english[t] for t in english), spanish
    assert spanish["protected_question"] == "Pregunta protegida"


def test_requirement_topics_name_the_skill_as_the_position_spells_it():
    names = labels.skill_names({"technical_skills": ["Next.js"], "nice_to_have": ["AWS"]})
    with translation.override("en"):
        assert labels.topic_label("requirement:next", names) == "Requirement: Next.js"
        assert labels.topic_label("requirement:aws", names) == "Requirement: AWS"
        assert labels.topic_label("requirement:english", names) == "Requirement: English level"
        # A skill the position does not list: its key, never the raw tag.
        assert labels.topic_label("requirement:rust", names) == "Requirement: rust"
    with translation.override("es"):
        assert labels.topic_label("requirement:next", names) == "Requisito: Next.js"


def test_unknown_codes_read_as_words_and_free_text_stays():
    assert labels.topic_label("system_design") == "System design"
    assert labels.topic_label("Django") == "Django"  # an LLM provider's free text
    assert labels.insight_type_label("odd-type") == "Odd type"
    assert labels.topic_label(None) == "" and labels.severity_label(None) == ""


def test_speakers_are_counted_from_one():
    with translation.override("en"):
        assert labels.speaker_label("speaker_0") == "Speaker 1"
    with translation.override("es"):
        assert labels.speaker_label("speaker_1") == "Hablante 2"
    assert labels.speaker_label(None) == "?"


def test_an_insight_in_words():
    insight = AIInsightFactory(
        type="red-flag",
        severity="warning",
        topic="vague_answer",
        response_quality=3,
        sentiment="evasive",
    )
    with translation.override("es"):
        words = labels.insight_labels(insight)
    assert words == {
        "type": "Señal de alerta",
        "severity": "Aviso",
        "topic": "Respuesta vaga",
        "sentiment": "Evasivo",
        "quality": "Calidad de la respuesta 3/10",
    }


def test_the_live_page_gets_every_word_it_needs():
    interview = InterviewFactory(
        job_position=JobPositionFactory(requirements={"technical_skills": ["React Query"]})
    )
    with translation.override("es"):
        words = labels.live_labels(interview)
    assert set(words["type"]) == set(InsightType.values)
    assert set(words["severity"]) == set(Severity.values)
    assert words["topic"]["vague_answer"] == "Respuesta vaga"
    assert words["requirement"]["react query"] == "React Query"
    assert words["requirement_format"] == "Requisito: %s"
    assert words["sure"] == "seguro" and words["check"] == "probable: compruébalo"
    assert words["candidate_name"] == interview.candidate.name
