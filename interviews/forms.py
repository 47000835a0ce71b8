"""Dashboard forms for interviews: the list's filters and scheduling."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from candidates.models import Candidate, JobPosition, JobPositionStatus
from interviews.models import InsightType, InterviewStatus, Language, Severity
from interviews.services import interview_schedule


class InterviewFilterForm(forms.Form):
    """GET filters of the interviews list; an invalid value is ignored, not an error
    page (a stale bookmark must still open the list)."""

    q = forms.CharField(label=_("Candidate"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *InterviewStatus.choices],
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        required=False,
        queryset=JobPosition.objects.only("id", "title").order_by("title", "id"),
        empty_label=_("Any position"),
    )
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"),
        required=False,
        queryset=User.objects.filter(is_active=True).only("id", "name", "email").order_by("name"),
        empty_label=_("Anyone"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of `interview_list`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "position": data.get("position"),
            "interviewer": data.get("interviewer"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "candidate_text": data.get("q") or "",
        }


class InsightFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *InsightType.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("Any severity")), *Severity.choices],
    )

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"type": data.get("type") or "", "severity": data.get("severity") or ""}


class InterviewScheduleForm(forms.Form):
    candidate = forms.ModelChoiceField(
        label=_("Candidate"),
        queryset=Candidate.objects.only("id", "name", "email").order_by("name", "id"),
        empty_label=_("Choose a candidate"),
    )
    job_position = forms.ModelChoiceField(
        label=_("Position"),
        required=False,
        queryset=JobPosition.objects.exclude(status=JobPositionStatus.CLOSED)
        .only("id", "title", "status")
        .order_by("title", "id"),
        empty_label=_("No specific position"),
    )
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        # Read in the interviewer's time zone (the active one), stored in UTC.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
    )
    language = forms.ChoiceField(
        label=_("Interview language"),
        choices=Language.choices,
        initial=Language.SPANISH,
        help_text=_("The language the interview is held in; the analysis follows it."),
    )

    def save(self, *, interviewer: User):
        try:
            return interview_schedule(
                candidate=self.cleaned_data["candidate"],
                interviewer=interviewer,
                job_position=self.cleaned_data.get("job_position"),
                scheduled_at=self.cleaned_data["scheduled_at"],
                language=self.cleaned_data["language"],
            )
        except ValidationError as exc:
            # A rule the service enforces is shown next to its field like any other.
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, messages in errors.items():
                self.add_error(field if field in self.fields else None, messages)
            return None
