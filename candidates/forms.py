"""Candidate and job position forms, for the dashboard and the admin.

A CV upload is parsed in `clean()`, so an unreadable file is reported next to the
file field like any other validation error; saving goes through the services with
the parse result, so the file is read once.
"""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from candidates.cv import CVParseError, ParsedCV, parse_cv_upload, skill_entries
from candidates.models import Candidate, JobPosition
from candidates.requirements import DIMENSIONS
from candidates.services import EDITABLE_FIELDS, candidate_create, candidate_update
from interview_companion.admin_widgets import PrettyJSONWidget

CV_ACCEPT = ".pdf,.json,.zip,application/pdf,application/json,application/zip"
REQUIREMENT_KEYS = ("technical_skills", "experience", "english_level", "nice_to_have", "weights")


def cv_upload_field() -> forms.FileField:
    return forms.FileField(
        label=_("CV"),
        required=False,
        help_text=_("PDF, JSON Resume (.json) or LinkedIn data export (.zip)."),
        widget=forms.ClearableFileInput(attrs={"accept": CV_ACCEPT}),
    )


class CVUploadMixin:
    """Parses the `cv` upload during validation; `parsed_cv` holds the result."""

    parsed_cv: ParsedCV | None = None

    def clean_cv(self):
        upload = self.cleaned_data.get("cv")
        self.parsed_cv = None
        if not upload:
            return None
        try:
            self.parsed_cv = parse_cv_upload(upload)
        except CVParseError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return upload


class CandidateForm(CVUploadMixin, forms.ModelForm):
    email = forms.EmailField(label=_("email"), required=False, max_length=256)
    cv = cv_upload_field()

    class Meta:
        model = Candidate
        fields = ["name", "email", "phone", "jira_ticket"]
        help_texts = {"jira_ticket": _("A Jira issue key such as ABC-123.")}

    def clean_jira_ticket(self) -> str | None:
        # Keys are upper case in Jira; "abc-123" typed by hand means the same issue.
        value = (self.cleaned_data.get("jira_ticket") or "").strip().upper()
        return value or None

    def save(self, commit: bool = True) -> Candidate:
        if not commit:
            raise ValueError("CandidateForm saves through the candidate services.")
        if self.errors:
            raise ValueError("CandidateForm.save() called on an invalid form.")
        fields = {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}
        upload = self.cleaned_data.get("cv")
        if self.instance.pk is None:
            self.instance = candidate_create(**fields, cv_upload=upload, parsed_cv=self.parsed_cv)
        else:
            candidate_update(
                candidate=self.instance, cv_upload=upload, parsed_cv=self.parsed_cv, **fields
            )
        return self.instance


# The error codes are not "invalid": a JSON form field would swap the message for its
# own "Enter a valid JSON" and hide what is actually wrong.


def validate_cv_data(value) -> None:
    """A hand-edited cv_data must keep the shape consumers rely on."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValidationError(_("The parsed CV must be a JSON object."), code="invalid_cv_data")
    for key in ("work", "education", "skills", "languages"):
        if value.get(key) is not None and not isinstance(value[key], list):
            raise ValidationError(
                _('"%(key)s" must be a list.'), code="invalid_cv_data", params={"key": key}
            )
    if value.get("basics") is not None and not isinstance(value["basics"], dict):
        raise ValidationError(_('"basics" must be an object.'), code="invalid_cv_data")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _string_list(value, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(
            _('"%(key)s" must be a list of non-empty texts.'),
            code="invalid_requirements",
            params={"key": key},
        )
    return value


def validate_job_requirements(value) -> None:
    """`requirements` of a job position: what the live analysis and the scorecard read."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValidationError(_("Requirements must be a JSON object."), code="invalid_requirements")
    unknown = sorted(set(value) - set(REQUIREMENT_KEYS))
    if unknown:
        raise ValidationError(
            _("Unknown requirement key(s): %(unknown)s. Allowed: %(allowed)s."),
            code="invalid_requirements",
            params={"unknown": ", ".join(unknown), "allowed": ", ".join(REQUIREMENT_KEYS)},
        )
    for key in ("technical_skills", "nice_to_have"):
        if key in value:
            _string_list(value[key], key)
    experience = value.get("experience")
    if experience is not None and not (
        isinstance(experience, str) or (_is_number(experience) and experience >= 0)
    ):
        raise ValidationError(
            _('"experience" must be a text ("3+ years") or a number of years.'),
            code="invalid_requirements",
        )
    english = value.get("english_level")
    if english is not None and not isinstance(english, str):
        raise ValidationError(
            _('"english_level" must be a text such as B2.'), code="invalid_requirements"
        )
    weights = value.get("weights")
    if weights is None:
        return
    if not isinstance(weights, dict):
        raise ValidationError(_('"weights" must be an object.'), code="invalid_requirements")
    unknown = sorted(set(weights) - set(DIMENSIONS))
    if unknown:
        raise ValidationError(
            _("Unknown weight dimension(s): %(unknown)s. Allowed: %(allowed)s."),
            code="invalid_requirements",
            params={"unknown": ", ".join(unknown), "allowed": ", ".join(DIMENSIONS)},
        )
    bad = sorted(k for k, w in weights.items() if not (_is_number(w) and w >= 0))
    if bad:
        raise ValidationError(
            _("Weights must be numbers of zero or more: %(bad)s."),
            code="invalid_requirements",
            params={"bad": ", ".join(bad)},
        )


class CandidateAdminForm(CVUploadMixin, forms.ModelForm):
    cv = cv_upload_field()
    cv_data = forms.JSONField(
        label=_("parsed CV"),
        widget=PrettyJSONWidget,
        required=False,
        validators=[validate_cv_data],
        help_text=_("Filled in from the uploaded CV; a new upload replaces it."),
    )

    class Meta:
        model = Candidate
        fields = ["name", "email", "phone", "jira_ticket", "legal_hold", "cv_data"]

    def clean_cv_data(self):
        value = self.cleaned_data.get("cv_data")
        if isinstance(value, dict) and isinstance(value.get("skills"), list):
            # A skill typed by hand gets its key from its name, as a parsed one does:
            # a key typed as "React" or "Computación" would never match a search.
            value["skills"] = skill_entries(
                s.get("name") if isinstance(s, dict) else s for s in value["skills"]
            )
        return value


class JobPositionAdminForm(forms.ModelForm):
    requirements = forms.JSONField(
        label=_("requirements"),
        widget=PrettyJSONWidget,
        required=False,
        validators=[validate_job_requirements],
        help_text=_(
            "technical_skills (list), experience, english_level, nice_to_have (list) and "
            'optional weights by dimension: {"technical": 2, "english": 1, ...}.'
        ),
    )

    class Meta:
        model = JobPosition
        fields = [
            "title",
            "description",
            "requirements",
            "seniority_level",
            "location",
            "salary_range",
            "status",
            "jira_epic",
        ]
