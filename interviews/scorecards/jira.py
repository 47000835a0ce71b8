"""Hand-off of a scorecard to the candidate's Jira ticket, as a comment.

Talks to Jira through the official `jira` client (REST API v2, wiki markup) with
JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN. Every failure becomes a
`JiraHandOffError` whose text the user is shown: a hand-off that silently did
not happen would leave the hiring team deciding without the scorecard.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from jira import JIRA, JIRAError

from audit.models import AuditAction
from audit.services import audit_interview
from interviews.labels import DIMENSION_LABELS
from interviews.models import SCORE_DIMENSIONS, Recommendation, Scorecard, ScorecardState

logger = logging.getLogger(__name__)

# Seconds to connect and to read: the interviewer waits for the answer.
JIRA_TIMEOUT = (5, 15)
# Characters Jira's wiki markup treats as syntax inside text we did not write.
_WIKI_SPECIAL = "\\{}[]|*_^~+-#"


class JiraHandOffError(Exception):
    """The scorecard did not reach Jira; the message says why, for the user."""


def jira_configured() -> bool:
    return bool(settings.JIRA_BASE_URL and settings.JIRA_EMAIL and settings.JIRA_API_TOKEN)


def _wiki(text: str | None) -> str:
    text = (text or "").replace("\r", "")
    return "".join(f"\\{ch}" if ch in _WIKI_SPECIAL else ch for ch in text)


def _verdict_label(verdict: str | None) -> str:
    return str(Recommendation(verdict).label) if verdict in Recommendation.values else "—"


def scorecard_comment(scorecard: Scorecard, *, report_url: str = "", show_ai: bool = True) -> str:
    """The comment: decision first, then the AI's recommendation, the scores, the
    evidence and the summary. The interviewer's private notes stay in the app.
    Without `show_ai` (the person has not decided yet) the AI's verdict and overall
    score are left out, as on the page."""
    interview = scorecard.interview
    position = interview.job_position.title if interview.job_position_id else ""
    lines = [
        "h3. "
        + _wiki(_("Interview scorecard: %(name)s") % {"name": interview.candidate.name})
        + (f" — {_wiki(position)}" if position else ""),
        "*{}:* {}{}".format(
            _("Interviewer decision"),
            _verdict_label(scorecard.decision) if scorecard.decision else _("not decided yet"),
            f" — {_wiki(scorecard.decision_reason)}" if scorecard.decision_reason else "",
        ),
        "*{}:* {}{}".format(
            _("AI recommendation"),
            _verdict_label(scorecard.recommendation_verdict)
            if show_ai
            else _("shown after the interviewer's decision"),
            f" — {_wiki(scorecard.recommendation_reason)}"
            if scorecard.recommendation_reason and show_ai
            else "",
        ),
        *(
            [
                "*{}:* {}".format(
                    _("Overall score"),
                    f"{scorecard.overall_score:.1f} / 10"
                    if scorecard.overall_score is not None
                    else "—",
                )
            ]
            if show_ai
            else []
        ),
        "",
        f"||{_('Dimension')}||{_('Score')}||",
    ]
    manual = scorecard.manual_scores or {}
    for dim in SCORE_DIMENSIONS:
        value = getattr(scorecard, dim)
        shown = "—" if value is None else str(value)
        if manual.get(dim) is not None:
            shown += " " + _("(adjusted by the interviewer)")
        lines.append(f"|{_wiki(str(DIMENSION_LABELS[dim]))}|{shown}|")
    for title, entries in (
        (_("Strengths"), scorecard.strengths),
        (_("Weaknesses"), scorecard.weaknesses),
    ):
        if entries:
            lines += ["", f"*{title}*"]
            lines += [f"* {_wiki(e.get('text'))}: ??{_wiki(e.get('quote'))}??" for e in entries]
    if scorecard.summary:
        lines += ["", f"*{_('Summary')}:* {_wiki(scorecard.summary)}"]
    if report_url:
        lines += ["", f"[{_('Full interview report')}|{report_url}]"]
    return "\n".join(lines)


def scorecard_send_to_jira(*, scorecard: Scorecard, report_url: str = "", by=None) -> str:
    """Post the scorecard as a comment on the candidate's `jira_ticket`; returns
    the ticket key. Raises JiraHandOffError with a message for the user."""
    if not jira_configured():
        raise JiraHandOffError(
            _("Jira is not configured: set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN.")
        )
    ticket = scorecard.interview.candidate.jira_ticket
    if not ticket:
        raise JiraHandOffError(
            _("%(name)s has no Jira ticket: add one on the candidate first.")
            % {"name": scorecard.interview.candidate.name}
        )
    if scorecard.state != ScorecardState.READY:
        raise JiraHandOffError(_("Only a ready scorecard can be sent to Jira."))
    show_ai = by is None or scorecard.ai_visible_to(by)
    body = scorecard_comment(scorecard, report_url=report_url, show_ai=show_ai)
    try:
        client = JIRA(
            server=settings.JIRA_BASE_URL,
            basic_auth=(settings.JIRA_EMAIL, settings.JIRA_API_TOKEN),
            timeout=JIRA_TIMEOUT,
            # One attempt: the user is waiting and retries the button themselves.
            max_retries=0,
        )
        client.add_comment(ticket, body)
    except JIRAError as exc:
        logger.warning("Jira refused the comment on %s: %s %s", ticket, exc.status_code, exc.text)
        raise JiraHandOffError(
            _("Jira refused the comment on %(ticket)s (HTTP %(status)s): %(reason)s")
            % {"ticket": ticket, "status": exc.status_code or "?", "reason": exc.text or ""}
        ) from exc
    except requests.RequestException as exc:
        logger.warning("Jira unreachable for %s: %r", ticket, exc)
        raise JiraHandOffError(
            _("Jira could not be reached (%(error)s).") % {"error": exc.__class__.__name__}
        ) from exc
    audit_interview(
        action=AuditAction.JIRA_HANDOFF,
        actor=by,
        interview=scorecard.interview,
        object_type="scorecard",
        object_id=scorecard.pk,
        details={"ticket": ticket, "version": scorecard.version},
    )
    return ticket
