"""The JSON API: lifecycle transitions, the candidate notice, transcript ingest,
insight updates.

Thin views: parse, look up (scoped to what the user may change), call a service,
answer. A database that went away mid-request becomes a 503 with Retry-After in
`interview_companion.views.server_error`. Session-authenticated calls carry the CSRF token; bearer-token calls are
exempt (see accounts.middleware).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from interview_companion.http import BadRequest, json_from_bytes
from interviews.live.deepgram import InvalidResults
from interviews.live.ingest import (
    InterviewNotLive,
    RecordingDeclined,
    transcript_ingest,
    transcripts_body,
)
from interviews.live.payloads import insight_data, interview_data
from interviews.models import AIInsight, InterviewStatus
from interviews.notices import NoticeError, notice_record
from interviews.selectors import NotAllowed, interview_for_change
from interviews.services import (
    TransitionError,
    insight_update,
    interview_set_roles,
    interview_transition,
)


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    return response


def _json_body(request: HttpRequest) -> Any:
    return json_from_bytes(request.body)


def _json_object(request: HttpRequest) -> dict:
    body = _json_body(request)
    if not isinstance(body, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return body


def _forbidden() -> JsonResponse:
    return _error(str(NotAllowed()), 403)


@require_http_methods(["POST"])
def transition(request: HttpRequest, interview_id: int) -> JsonResponse:
    try:
        interview = interview_for_change(user=request.user, interview_id=interview_id)
        body = _json_object(request)
        to = body.get("to")
        if to not in (InterviewStatus.LIVE, InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
            raise BadRequest(_("'to' must be one of: live, completed, cancelled."))
        interview = interview_transition(interview=interview, to=to, by=request.user)
    except NotAllowed:
        return _forbidden()
    except BadRequest as exc:
        return _error(str(exc), 400)
    except TransitionError as exc:
        return _error(str(exc), 409)
    return JsonResponse({"id": interview.pk, "data": interview_data(interview)})


@require_http_methods(["POST"])
def notice(request: HttpRequest, interview_id: int) -> JsonResponse:
    """Record the candidate's answer to the notice:
    `{"decision": "agreed"|"declined", "channel": "spoken"|"written"|"email"}`."""
    try:
        interview = interview_for_change(user=request.user, interview_id=interview_id)
        body = _json_object(request)
        unknown = set(body) - {"decision", "channel"}
        if unknown:
            raise BadRequest(_('Send {"decision": ..., "channel": ...} only.'))
        row = notice_record(
            interview=interview,
            decision=body.get("decision"),
            channel=body.get("channel"),
            by=request.user,
        )
    except NotAllowed:
        return _forbidden()
    except BadRequest as exc:
        return _error(str(exc), 400)
    except NoticeError as exc:
        return _error(str(exc), exc.status)
    return JsonResponse(
        {
            "id": row.pk,
            "interview_id": row.interview_id,
            "decision": row.decision,
            "channel": row.channel,
            "notice_version": row.notice_version,
            "language": row.language,
            "recorded_at": row.recorded_at.isoformat(),
        },
        status=201,
    )


@require_http_methods(["POST"])
def transcripts(request: HttpRequest, interview_id: int) -> JsonResponse:
    try:
        interview = interview_for_change(user=request.user, interview_id=interview_id)
        body = transcripts_body(request.body)
        outcome = transcript_ingest(interview=interview, results=body)
    except NotAllowed:
        return _forbidden()
    except (BadRequest, InvalidResults) as exc:
        return _error(str(exc), 400)
    except (InterviewNotLive, RecordingDeclined) as exc:
        return _error(str(exc), 409)
    except IntegrityError:
        # Two requests raced to insert the same chunk: the loser retries and sees
        # a duplicate.
        response = _error(_("A concurrent delivery of this chunk won; retry."), 409)
        response["Retry-After"] = "1"
        return response
    return JsonResponse(
        {
            "transcripts": outcome.transcript_ids,
            "duplicates": outcome.duplicates,
            "skipped": outcome.skipped,
        },
        status=201 if outcome.changed_anything else 200,
    )


@require_http_methods(["POST"])
def roles(request: HttpRequest, interview_id: int) -> JsonResponse:
    try:
        interview = interview_for_change(user=request.user, interview_id=interview_id)
        body = _json_object(request)
        host, guest = body.get("host"), body.get("guest")
        if body.get("swap") is True:
            if not interview.roles_assigned or not interview.roles:
                raise BadRequest(_("There are no roles to swap yet."))
            host, guest = interview.roles.get("guest"), interview.roles.get("host")
        if not isinstance(host, str) or not isinstance(guest, str):
            raise BadRequest(_('Send {"host": speaker, "guest": speaker} or {"swap": true}.'))
        interview = interview_set_roles(
            interview=interview, host=host, guest=guest, by=request.user
        )
    except NotAllowed:
        return _forbidden()
    except (BadRequest, ValueError) as exc:
        return _error(str(exc), 400)
    return JsonResponse({"id": interview.pk, "data": interview_data(interview)})


@require_http_methods(["PATCH"])
def insight(request: HttpRequest, insight_id: int) -> JsonResponse:
    row = get_object_or_404(AIInsight.objects.select_related("interview"), pk=insight_id)
    try:
        interview_for_change(user=request.user, interview_id=row.interview_id)
        body = _json_object(request)
        unknown = set(body) - {"used", "dismissed"}
        if unknown or not body:
            raise BadRequest(_('Send {"used": bool} and/or {"dismissed": bool}.'))
        for key, value in body.items():
            if not isinstance(value, bool):
                raise BadRequest(_("'%(k)s' must be true or false.") % {"k": key})
        row = insight_update(
            insight=row, used=body.get("used"), dismissed=body.get("dismissed"), by=request.user
        )
    except NotAllowed:
        return _forbidden()
    except BadRequest as exc:
        return _error(str(exc), 400)
    return JsonResponse({"id": row.pk, "data": insight_data(row)})
