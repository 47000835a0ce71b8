from __future__ import annotations

from pathlib import PurePosixPath

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from audit.models import AuditAction
from audit.services import audit_page_view
from candidates import selectors
from candidates.forms import CandidateForm
from candidates.models import Candidate, JobPositionStatus

# What a stored CV may be served as. Anything else goes out as opaque bytes, so an
# uploaded file can never be rendered by the browser as a page of this site.
CV_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".zip": "application/zip",
}


@require_safe
def cv_file(request: HttpRequest, candidate_id: int) -> FileResponse:
    """The candidate's uploaded CV, to signed-in users only (LoginRequiredMiddleware),
    always as a download."""
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    if not candidate.cv_file:
        raise Http404("No CV uploaded.")
    extension = PurePosixPath(candidate.cv_file.name).suffix.lower()
    try:
        handle = candidate.cv_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("CV file missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"cv-{slugify(candidate.name) or candidate.pk}{extension}",
        content_type=CV_CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A CV is personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Dashboard pages: candidates and job positions ------------------------------
# Thin: a selector reads, a form (CandidateForm, which saves through the services)
# writes. Any signed-in interviewer may create and edit candidates (a team tool).


def _page(request: HttpRequest, rows, per_page: int = 25, param: str = "page"):
    return Paginator(rows, per_page).get_page(request.GET.get(param))


@never_cache  # personal data: no cache keeps a copy
@require_GET
def candidate_list_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "candidates/list.html",
        {"q": q, "page": _page(request, selectors.candidate_list(q))},
    )


@never_cache  # personal data: no cache keeps a copy
def candidate_form_page(request: HttpRequest, candidate_id: int | None = None) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=candidate_id) if candidate_id else None
    if request.method == "POST":
        form = CandidateForm(request.POST, request.FILES, instance=candidate)
        if form.is_valid():
            saved = form.save()
            return redirect("candidates:detail", candidate_id=saved.pk)
    else:
        form = CandidateForm(instance=candidate)
    return render(request, "candidates/form.html", {"form": form, "candidate": candidate})


@never_cache  # personal data: no cache keeps a copy
@require_GET
def candidate_detail_page(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_for_page(candidate_id)
    audit_page_view(
        user=request.user, action=AuditAction.CANDIDATE_VIEWED, candidate_id=candidate.pk
    )
    cv = candidate.cv_data or {}
    return render(
        request,
        "candidates/detail.html",
        {
            "candidate": candidate,
            "cv": cv,
            "basics": cv.get("basics") or {},
            "interviews": candidate.interviews.all(),
        },
    )


@require_GET
def position_list_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in JobPositionStatus.values:
        status = ""
    return render(
        request,
        "positions/list.html",
        {
            "status": status,
            "statuses": JobPositionStatus.choices,
            "page": _page(request, selectors.position_list(status)),
        },
    )


@never_cache  # personal data: no cache keeps a copy
@require_GET
def position_detail_page(request: HttpRequest, position_id: int) -> HttpResponse:
    position = selectors.position_for_page(position_id)
    return render(
        request,
        "positions/detail.html",
        {
            "position": position,
            "requirements": position.requirements or {},
            "ranking": _page(request, selectors.position_ranking(position), param="rpage"),
            "interviews": _page(request, selectors.position_interviews(position), param="ipage"),
        },
    )
