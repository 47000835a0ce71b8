"""Writes to candidates: creating and editing them, and taking in their CV.

The CV rule lives here: a CV is parsed completely before anything is written, so a
file that cannot be read leaves the candidate's previous CV (file and cv_data)
exactly as it was.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.urls import reverse

from candidates.cv import ParsedCV, parse_cv_upload
from candidates.models import Candidate

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("name", "email", "phone", "jira_ticket")


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@transaction.atomic
def candidate_create(
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    jira_ticket: str | None = None,
    cv_upload=None,
    parsed_cv: ParsedCV | None = None,
) -> Candidate:
    """Create a candidate, with their CV when one is given (parsed first: a bad CV
    creates nothing)."""
    if cv_upload is not None and parsed_cv is None:
        parsed_cv = parse_cv_upload(cv_upload)
    candidate = Candidate(
        name=name.strip(),
        email=_optional(email),
        phone=_optional(phone),
        jira_ticket=_optional(jira_ticket),
    )
    candidate.full_clean()
    candidate.save()
    if cv_upload is not None:
        candidate_cv_upload(candidate=candidate, uploaded_file=cv_upload, parsed=parsed_cv)
    return candidate


@transaction.atomic
def candidate_update(
    *,
    candidate: Candidate,
    cv_upload=None,
    parsed_cv: ParsedCV | None = None,
    **fields,
) -> Candidate:
    """Change a candidate's details (any of EDITABLE_FIELDS) and optionally their CV."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"candidate_update() got unexpected fields {sorted(unknown)}")
    if cv_upload is not None and parsed_cv is None:
        parsed_cv = parse_cv_upload(cv_upload)
    for field, value in fields.items():
        setattr(candidate, field, value.strip() if field == "name" else _optional(value))
    if fields:
        candidate.full_clean(exclude=["cv_file"])
        candidate.save(update_fields=list(fields))
    if cv_upload is not None:
        candidate_cv_upload(candidate=candidate, uploaded_file=cv_upload, parsed=parsed_cv)
    return candidate


def cv_file_url(candidate: Candidate) -> str:
    return reverse("candidates:cv_file", kwargs={"candidate_id": candidate.pk})


@transaction.atomic
def candidate_cv_upload(
    *, candidate: Candidate, uploaded_file, parsed: ParsedCV | None = None
) -> Candidate:
    """Store a CV upload and its parsed data on the candidate.

    `parsed` lets a form that already parsed the file (to show errors next to the
    field) skip a second parse; it must come from this same file. Raises CVParseError
    before writing anything when the file cannot be read.
    """
    if candidate.pk is None:
        raise ValueError("Save the candidate before uploading a CV.")
    if parsed is None:
        parsed = parse_cv_upload(uploaded_file)

    # Lock the row so two uploads at once each see the other's file as the old one
    # and neither leaves a file nobody points at.
    locked = Candidate.objects.select_for_update().only("cv_file").get(pk=candidate.pk)
    old_name = locked.cv_file.name if locked.cv_file else ""

    # A random name: the uploader's file name is theirs to choose (paths, HTML,
    # "../"), and it would leak in URLs and on disk. The file is written before the
    # row (the row must never name a missing file); a failed save removes it below.
    # Should an enclosing transaction roll back after we return, the new file is
    # left behind unreferenced: harmless, and Django offers no on-rollback hook.
    uploaded_file.seek(0)
    candidate.cv_file.save(f"{uuid.uuid4().hex}{parsed.extension}", uploaded_file, save=False)
    new_name = candidate.cv_file.name
    storage = candidate.cv_file.storage
    previous = (candidate.cv_data, candidate.cv_text, candidate.cv_url)
    try:
        candidate.cv_data = parsed.data
        candidate.cv_text = parsed.text
        candidate.cv_url = cv_file_url(candidate)
        candidate.save(update_fields=["cv_file", "cv_data", "cv_text", "cv_url"])
    except Exception:
        storage.delete(new_name)
        candidate.cv_file.name = old_name or None
        candidate.cv_data, candidate.cv_text, candidate.cv_url = previous
        raise

    if old_name and old_name != new_name:
        # The old file goes only once the new row is committed: were the transaction
        # to roll back, the row would still point at it.
        transaction.on_commit(lambda: _delete_quietly(storage, old_name))
    return candidate


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete replaced CV file %s", name)
