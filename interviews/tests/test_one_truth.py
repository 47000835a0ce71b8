"""One truth: the live page, the interview page and the report show the same flag
counts, the same requirements covered and the same scores for one interview,
because they read them through the same selectors."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from candidates.skills import skill_key
from interviews.models import PROTECTED_QUESTION_TOPIC, InterviewEvent
from interviews.services import insight_update, interview_set_roles
from interviews.tests.dashboard_support import completed_interview
from tests.factories import AIInsightFactory, JobPositionFactory

pytestmark = pytest.mark.django_db


def flag_counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def covered(html: str) -> set[str]:
    block = re.search(r'id="requirements"[^>]*>(.*?)</ul>', html, re.S).group(1)
    return set(re.findall(r'<li data-key="([^"]+)" class="covered"', block))


def listed(html: str) -> set[str]:
    block = re.search(r'id="requirements"[^>]*>(.*?)</ul>', html, re.S).group(1)
    return set(re.findall(r'<li data-key="([^"]+)"', block))


@pytest.fixture
def interview(alice, candidate):
    position = JobPositionFactory(
        requirements={
            "technical_skills": ["Python", "Next.js", "PostgreSQL", "Docker"],
            "nice_to_have": ["Kubernetes"],
        }
    )
    interview = completed_interview(
        interviewer=alice, position=position, candidate=candidate, score=6.5, technical=7
    )
    # Spelled as an analysis provider might: "nextjs" and "Postgres" are the
    # position's "Next.js" and "PostgreSQL"; "english" is not a listed skill.
    interview.analysis_state = {
        "covered_requirements": ["python", "nextjs", "Postgres", "english"],
        "scores": {"technical": 7, "communication": 6},
    }
    interview.save()
    # The interviewer has decided, so the AI's overall score is theirs to see too
    # (the person decides first: interviews/tests/test_decide_first.py).
    interview.scorecard.decision = "hire"
    interview.scorecard.decision_reason = "Solid answers on the requirements."
    interview.scorecard.save(update_fields=["decision", "decision_reason"])
    AIInsightFactory(interview=interview, type="red-flag", severity="warning")
    AIInsightFactory(interview=interview, type="red-flag", severity="warning", dismissed=True)
    AIInsightFactory(interview=interview, type="contradiction", severity="warning")
    AIInsightFactory(interview=interview, type="suggestion", severity="info", used=True)
    AIInsightFactory(
        interview=interview, type="note", severity="critical", topic=PROTECTED_QUESTION_TOPIC
    )
    return interview


def test_the_three_pages_agree_on_flags_requirements_and_scores(alice_client, interview):
    live = alice_client.get(reverse("interviews:live", args=[interview.pk]))
    detail = alice_client.get(reverse("interviews:detail", args=[interview.pk]))
    report = alice_client.get(reverse("interviews:report", args=[interview.pk]))
    pages = {"live": live, "detail": detail, "report": report}
    html = {name: r.content.decode() for name, r in pages.items()}

    # Flags: dismissed ones never count (one green flag comes with the helper).
    expected = {"red_flag": 1, "green_flag": 1, "contradiction": 1, "suggestion": 1, "note": 1}
    for name in pages:
        assert flag_counts(html[name]) == expected, name
    assert {k: live.context["state"]["flags"][k] for k in expected} == expected

    # Requirements: matched by normalised key on every page.
    keys = {skill_key(s) for s in ("Python", "Next.js", "PostgreSQL")}
    for name in pages:
        assert covered(html[name]) == keys | {"english"}, name
        assert listed(html[name]) >= {skill_key("Docker"), skill_key("Kubernetes")}, name
    # ...and the live page's script marks them from the same keys.
    assert set(live.context["state"]["interview"]["covered_keys"]) == keys | {"english"}

    # Scores: the scorecard's, from one row.
    assert live.context["state"]["scorecard"]["overall_score"] == 6.5
    assert report.context["card"].overall_score == 6.5
    assert detail.context["scorecard_panel"]["card"].overall_score == 6.5
    assert "6,5" in html["report"]  # shown in the page's language (Spanish)
    tech = next(d for d in report.context["dimensions"] if d["key"] == "technical")
    assert tech["value"] == 7
    assert live.context["state"]["scorecard"]["technical"] == 7
    panel = detail.context["scorecard_panel"]["dimensions"]
    assert next(d for d in panel if d["key"] == "technical")["value"] == 7


def test_an_insight_change_says_whether_the_live_counts_included_it(alice, interview):
    """The live page loads the newest 300 insights: for an older one, the change
    event itself says whether its flag count included the insight, so dismissing
    it or superseding it (a role swap) moves the count as the pages count it."""

    def last_sent(insight) -> dict:
        return (
            InterviewEvent.objects.filter(interview=interview, object_id=insight.pk)
            .latest("seq")
            .data
        )

    counted, dismissed = (AIInsightFactory(interview=interview, type="red-flag") for _ in range(2))
    insight_update(insight=dismissed, dismissed=True, by=alice)
    assert last_sent(dismissed)["was_counted"] is True  # counted until now

    insight_update(insight=dismissed, dismissed=False, by=alice)
    assert last_sent(dismissed)["was_counted"] is False  # it was not counted

    insight_update(insight=dismissed, dismissed=True, by=alice)
    interview_set_roles(interview=interview, host="speaker_1", guest="speaker_0", by=alice)
    assert last_sent(counted)["superseded_at"] and last_sent(counted)["was_counted"] is True
    assert last_sent(dismissed)["superseded_at"] and last_sent(dismissed)["was_counted"] is False
