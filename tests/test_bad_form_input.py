"""Property-based abuse of the dashboard's forms: whatever is posted, the answer is
a page (a redirect or the form again with its errors), never a 5xx, and a refused
form writes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candidates.models import Candidate
from interviews.models import Interview, Scorecard, ScorecardVersion
from tests.factories import ScorecardFactory

pytestmark = pytest.mark.django_db

# Text a browser can send in a form field: anything printable, some control
# characters, very long values, numbers and dates written every which way.
field_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=200, max_size=600),
    st.sampled_from(
        ["", " ", "0", "-1", "11", "1e9", "2026-13-45T25:61", "null", "ABC-0", "abc-12"]
    ),
    st.integers(-(10**12), 10**12).map(str),
).filter(lambda value: "\x00" not in value)


def assert_page(response) -> None:
    assert response.status_code < 500, response.content[:300]
    assert response.status_code in (200, 302, 400, 403, 405), response.status_code


@given(name=field_text, email=field_text, phone=field_text, jira=field_text)
def test_the_candidate_form_never_fails(alice_client, name, email, phone, jira):
    before = Candidate.objects.count()
    response = alice_client.post(
        "/candidates/new/", {"name": name, "email": email, "phone": phone, "jira_ticket": jira}
    )
    assert_page(response)
    if response.status_code != 302:
        assert Candidate.objects.count() == before


@given(
    candidate=field_text,
    position=field_text,
    scheduled_at=field_text,
    language=field_text,
)
def test_the_schedule_form_never_fails(alice_client, candidate, position, scheduled_at, language):
    before = Interview.objects.count()
    response = alice_client.post(
        "/interviews/new/",
        {
            "candidate": candidate,
            "job_position": position,
            "scheduled_at": scheduled_at,
            "language": language,
        },
    )
    assert_page(response)
    if response.status_code != 302:
        assert Interview.objects.count() == before


@given(
    dimension=field_text, value=field_text, decision=field_text, reason=field_text, notes=field_text
)
def test_the_scorecard_forms_never_fail(
    alice_client, alice, dimension, value, decision, reason, notes
):
    card = Scorecard.objects.filter(interview__interviewer=alice).first() or ScorecardFactory(
        interview__interviewer=alice, interview__status="completed"
    )
    interview_id = card.interview_id
    versions = ScorecardVersion.objects.count()
    for path, data in (
        ("adjust", {"dimension": dimension, "value": value}),
        ("decision", {"decision": decision, "reason": reason}),
        ("notes", {"notes": notes}),
    ):
        response = alice_client.post(f"/interviews/{interview_id}/scorecard/{path}/", data)
        assert_page(response)
    card.refresh_from_db()
    for dim in ("attitude", "communication", "technical", "strategic", "leadership", "english"):
        assert getattr(card, dim) is None or 1 <= getattr(card, dim) <= 10
    assert card.decision in (None, "hire", "no_hire", "maybe")
    assert ScorecardVersion.objects.count() == versions  # edits never make a version


# Query strings that name a row: "²".isdigit() is True but int("²") raises, and a
# number past a bigint fails in SQLite (and PostgreSQL) instead of finding nothing.
row_id_text = st.one_of(
    field_text,
    st.sampled_from(
        ["²", "١٢", "\U0001d7d9", "0", "00", "9" * 19, "9" * 40, str(2**63), str(2**63 - 1)]
    ),
)


@given(before=row_id_text, c=st.lists(row_id_text, max_size=5), candidate=row_id_text)
def test_pages_that_read_a_row_id_from_the_query_never_fail(
    alice_client, interview, before, c, candidate
):
    older = alice_client.get(f"/interviews/{interview.pk}/transcript/", {"before": before})
    assert older.status_code in (200, 400), older.content[:300]
    assert_page(alice_client.get("/compare/", {"c": c}))
    assert_page(
        alice_client.get("/interviews/new/", {"candidate": candidate, "position": candidate})
    )


@pytest.mark.parametrize(
    "path",
    ["/interviews/{id}/transcript/?before=²", "/compare/?c=²", "/interviews/new/?candidate=²"],
)
def test_a_superscript_two_is_not_a_row_id(alice_client, interview, path):
    response = alice_client.get(path.format(id=interview.pk))
    assert response.status_code in (200, 400)
