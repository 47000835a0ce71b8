"""Skill search (the seed's FAQ "candidates with a given skill") gives the same answer
on SQLite and PostgreSQL: this file runs on both, so every test here is a claim
about both databases."""

from __future__ import annotations

import pytest

from candidates.models import Candidate
from tests.factories import CandidateFactory, cv

pytestmark = pytest.mark.django_db


def make(name: str, *skills: str) -> Candidate:
    return CandidateFactory(name=name, cv_data=cv(*skills))


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_a_skill_is_found_whatever_its_case():
    make("Lucía", "Python", "Django")
    make("Peter", "Ruby")

    for spelling in ("Python", "python", "PYTHON", "  pYtHoN "):
        assert names(Candidate.objects.with_skill(spelling)) == {"Lucía"}, spelling


def test_accents_do_not_matter_either_way():
    make("Lucía", "Computación")
    make("Peter", "computacion")
    make("Ana", "Comunicación")

    for spelling in ("Computación", "computacion", "COMPUTACIÓN", "COMPUTACION"):
        assert names(Candidate.objects.with_skill(spelling)) == {"Lucía", "Peter"}, spelling


def test_spanish_letters_fold_like_the_rest():
    make("Lucía", "Diseño de APIs", "Análisis de datos")

    assert names(Candidate.objects.with_skill("diseno de apis")) == {"Lucía"}
    assert names(Candidate.objects.with_skill("ANÁLISIS DE DATOS")) == {"Lucía"}
    assert names(Candidate.objects.with_skill("analisis-de-datos")) == {"Lucía"}


def test_reactjs_react_dot_js_and_react_share_one_key():
    make("Lucía", "ReactJS")
    make("Peter", "react.js")
    make("Ana", "React")
    make("Marta", "React Native")

    for spelling in ("ReactJS", "react.js", "React", "REACT.JS", "react js"):
        assert names(Candidate.objects.with_skill(spelling)) == {"Lucía", "Peter", "Ana"}, spelling


def test_java_does_not_match_javascript():
    make("Lucía", "Java")
    make("Peter", "JavaScript")

    assert names(Candidate.objects.with_skill("Java")) == {"Lucía"}
    assert names(Candidate.objects.with_skill("javascript")) == {"Peter"}
    assert names(Candidate.objects.with_skill("JS")) == {"Peter"}


def test_a_part_of_a_skill_is_not_a_match():
    make("Lucía", "PostgreSQL", "React Native", "C++")
    make("Peter", "SQL", "C")

    assert names(Candidate.objects.with_skill("SQL")) == {"Peter"}
    assert names(Candidate.objects.with_skill("React")) == set()
    assert names(Candidate.objects.with_skill("Native")) == set()
    assert names(Candidate.objects.with_skill("C")) == {"Peter"}
    assert names(Candidate.objects.with_skill("c++")) == {"Lucía"}


def test_like_wildcards_in_the_search_are_taken_literally():
    make("Lucía", "Python", "Go")

    for text in ("%", "_", "Pyth%", "G_"):
        assert names(Candidate.objects.with_skill(text)) == set(), text
        assert names(Candidate.objects.search(text)) == set(), text


def test_nothing_usable_finds_nobody():
    make("Lucía", "Python")
    CandidateFactory(name="Sin CV", cv_data=None)

    assert names(Candidate.objects.with_skill("")) == set()
    assert names(Candidate.objects.with_skill("   ")) == set()
    assert names(Candidate.objects.with_skill("Rust")) == set()


def test_the_keys_follow_a_changed_cv():
    lucia = make("Lucía", "Python")

    lucia.cv_data = cv("Kotlin")
    lucia.save(update_fields=["cv_data"])

    assert names(Candidate.objects.with_skill("kotlin")) == {"Lucía"}
    assert names(Candidate.objects.with_skill("python")) == set()


def test_search_finds_by_skill_name_or_email():
    make("Lucía Fernández", "ReactJS")
    CandidateFactory(name="Peter Smith", email="peter@acme.example", cv_data=cv("Vue.js"))

    assert names(Candidate.objects.search("react.js")) == {"Lucía Fernández"}
    assert names(Candidate.objects.search("Computación")) == set()
    assert names(Candidate.objects.search("smith")) == {"Peter Smith"}
    assert names(Candidate.objects.search("ACME.example")) == {"Peter Smith"}
    assert names(Candidate.objects.search("Lucía")) == {"Lucía Fernández"}
    assert names(Candidate.objects.search("")) == {"Lucía Fernández", "Peter Smith"}


def test_search_by_skill_ignores_case_and_accents():
    make("Lucía", "Computación")

    assert names(Candidate.objects.search("COMPUTACION")) == {"Lucía"}
    assert names(Candidate.objects.search("computación")) == {"Lucía"}


# --- Bugs found by these tests and fixed: hand-written keys, "|" in names,
# accent- and case-free name search on both databases.


def test_a_key_written_by_hand_in_cv_data_is_normalised_too():
    CandidateFactory(
        name="Lucía", cv_data={"skills": [{"name": "Computación", "key": "Computación"}]}
    )

    assert names(Candidate.objects.with_skill("computacion")) == {"Lucía"}


def test_a_pipe_in_a_skill_name_does_not_make_a_false_match():
    make("Lucía", "CI|CD")

    assert names(Candidate.objects.with_skill("CD")) == set()


def test_search_by_name_ignores_case_and_accents_on_both_databases():
    make("Lucía Fernández", "Python")

    assert names(Candidate.objects.search("lucia fernandez")) == {"Lucía Fernández"}
    assert names(Candidate.objects.search("LUCÍA")) == {"Lucía Fernández"}


def test_a_capitalised_key_in_cv_data_is_found_on_both_databases():
    CandidateFactory(name="Lucía", cv_data={"skills": [{"name": "React", "key": "React"}]})

    assert names(Candidate.objects.with_skill("react")) == {"Lucía"}
