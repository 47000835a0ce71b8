"""Compare: two to four candidates' latest scorecards side by side, with a radar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from interviews.tests.dashboard_support import (
    MAX_PAGE_QUERIES,
    assert_queries,
    completed_interview,
    queries_for,
)
from tests.factories import CandidateFactory, JobPositionFactory

pytestmark = pytest.mark.django_db
COMPARE = reverse("interviews:compare")


def url_for(*candidates) -> str:
    return COMPARE + "?" + "&".join(f"c={c.pk}" for c in candidates)


def test_two_candidates_side_by_side_with_a_radar(alice_client, alice, position):
    ana = completed_interview(
        interviewer=alice, position=position, score=8.0, technical=9, english=None
    ).candidate
    luis = completed_interview(interviewer=alice, position=position, score=5.0, technical=4)
    luis = luis.candidate

    response = alice_client.get(url_for(ana, luis))

    html = response.content.decode()
    assert [c.interview.candidate for c in response.context["cards"]] == [ana, luis]
    assert "<svg" in html and "radar-series" in html
    assert ana.name in html and luis.name in html
    technical = dict(response.context["rows"])["technical"]
    assert [score for score, _colour in technical] == [9, 4]


def test_the_latest_scorecard_of_each_candidate_is_compared(alice_client, alice, position):
    old = completed_interview(interviewer=alice, position=position, score=3.0)
    candidate = old.candidate
    new = completed_interview(interviewer=alice, position=position, candidate=candidate, score=9.0)
    old.completed_at = new.completed_at - timedelta(days=30)
    old.save()
    other = completed_interview(interviewer=alice, position=position).candidate

    cards = alice_client.get(url_for(candidate, other)).context["cards"]

    assert cards[0].interview == new


def test_one_candidate_is_not_enough_and_the_page_says_what_to_do(alice_client, alice):
    only = completed_interview(interviewer=alice).candidate
    response = alice_client.get(url_for(only))
    assert response.context["enough"] is False
    assert "<svg" not in response.content.decode()
    assert reverse("candidates:position_list") in response.content.decode()


def test_a_candidate_without_a_scorecard_is_named_not_dropped_silently(alice_client, alice):
    a = completed_interview(interviewer=alice).candidate
    b = completed_interview(interviewer=alice).candidate
    fresh = CandidateFactory(name="Sin Entrevista")
    response = alice_client.get(url_for(a, b, fresh))
    assert response.context["without_card"] == [fresh]
    assert "Sin Entrevista" in response.content.decode()


def test_at_most_four_candidates_are_compared(alice_client, alice):
    people = [completed_interview(interviewer=alice).candidate for _ in range(5)]
    response = alice_client.get(url_for(*people))
    assert len(response.context["cards"]) == 4


def test_search_offers_candidates_to_add(alice_client, alice):
    a = completed_interview(interviewer=alice).candidate
    CandidateFactory(name="Marta Ruiz")
    response = alice_client.get(url_for(a) + "&q=marta")
    assert [m.name for m in response.context["matches"]] == ["Marta Ruiz"]


def test_compare_runs_the_same_queries_for_two_or_four_candidates_with_long_histories(
    alice_client, alice, position, django_assert_num_queries
):
    two = [completed_interview(interviewer=alice, position=position).candidate for _ in range(2)]
    count = queries_for(alice_client, url_for(*two))
    assert count <= MAX_PAGE_QUERIES
    four = [completed_interview(interviewer=alice, position=position).candidate for _ in range(4)]
    for person in four:
        for _ in range(6):
            completed_interview(interviewer=alice, position=position, candidate=person)
    assert_queries(django_assert_num_queries, alice_client, url_for(*four), count)


def test_candidates_from_different_positions_come_with_a_warning(alice_client, alice, position):
    other_position = JobPositionFactory(title="Data Engineer")
    ana = completed_interview(interviewer=alice, position=position).candidate
    luis = completed_interview(interviewer=alice, position=other_position).candidate

    html = alice_client.get(url_for(ana, luis)).content.decode()

    assert "warn-positions" in html
    assert position.title in html and "Data Engineer" in html


def test_candidates_for_one_position_come_without_it(alice_client, alice, position):
    ana = completed_interview(interviewer=alice, position=position).candidate
    luis = completed_interview(interviewer=alice, position=position).candidate
    assert "warn-positions" not in alice_client.get(url_for(ana, luis)).content.decode()


def test_every_state_is_in_words_and_each_dimension_named(alice_client, alice, position):
    ana = completed_interview(interviewer=alice, position=position).candidate
    luis = completed_interview(interviewer=alice, position=position).candidate

    html = alice_client.get(url_for(ana, luis)).content.decode()

    assert ">pending<" not in html
    assert "Sin decidir" in html  # the default language is Spanish
    assert "Técnica" in html or "Técnico" in html
