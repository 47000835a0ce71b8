"""General rules of how people answer, in the built-in provider: each rule with a
sentence it must catch and a look-alike it must not, in more than one variety.

Pure computation: `answer_features` and `analyze` on hand-written answers (none of
them taken from the evaluation corpus).
"""

from __future__ import annotations

from interviews.analysis.builtin.cv import catalogue_for
from interviews.analysis.builtin.features import answer_features

REQUIREMENTS = {"technical_skills": ["Python", "PostgreSQL", "React"], "nice_to_have": []}
CV = {"skills": [{"name": "Next.js"}, {"name": "Docker"}]}


def features(text, question="", language="es", requirements=REQUIREMENTS, cv=CV):
    return answer_features(text, question, language, catalogue_for(requirements, cv))


# ---------------------------------------------------------------- numbers in words


def test_tens_and_hundreds_in_words_make_a_change_from_one_figure_to_another():
    # es-MX, es-AR and en: "de cuarenta a diez", "from eight hundred down to forty".
    assert features("Bajamos de unas cuarenta a menos de diez alertas por semana.").metrics
    assert features("Pasamos de noventa a cincuenta tickets abiertos, viste.").metrics
    assert features(
        "We took p99 from about eight hundred milliseconds down to forty.", language="en"
    ).metrics


def test_a_number_word_without_a_unit_or_a_change_is_no_measured_result():
    assert not features("Éramos cuarenta en la oficina de Guadalajara.").metrics
    assert not features("There were about fifty of us in the office.", language="en").metrics


def test_next_is_a_word_unless_spelled_as_the_framework():
    assert features("I'd need to decide in the next two weeks.", language="en").tools == []
    assert features("Usamos Next.js para las webs con SEO.").tools == ["next"]
