"""JSON in the admin, readable by a recruiter: pretty-printed, editable, and read-only
where a service owns the value.

Django's admin shows a JSONField as one compact line (`{"host": "speaker_0", ...}`),
which is unreadable for a parsed CV or a scorecard's evidence list. Every app's admin
reuses these:

    from interview_companion.admin_widgets import PrettyJSONMixin, pretty_json_display

    class CandidateAdmin(PrettyJSONMixin, admin.ModelAdmin):
        readonly_fields = ("cv_data_pretty",)
        cv_data_pretty = pretty_json_display("cv_data", _("parsed CV"))
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

JSON_INDENT = 2


def pretty_json(value: Any) -> str:
    """The value as indented JSON; accents stay readable ("Computación", not \\u00f3)."""
    return json.dumps(value, indent=JSON_INDENT, ensure_ascii=False, sort_keys=False)


def pretty_json_html(value: Any) -> SafeString:
    """A read-only block for the change page or a changelist cell (escaped)."""
    if value is None:
        return format_html('<span class="quiet">{}</span>', "—")
    return format_html(
        '<pre class="pretty-json" style="margin:0;white-space:pre-wrap;">{}</pre>',
        pretty_json(value),
    )


class PrettyJSONWidget(forms.Textarea):
    """A textarea holding indented JSON, sized to its content.

    `forms.JSONField.prepare_value` hands the widget a compact JSON string; we parse
    and re-indent it. Input that did not parse (the form is being shown again with an
    error) arrives as `InvalidJSONInput` and is left exactly as the user typed it.
    """

    min_rows = 3
    max_rows = 30

    def __init__(self, attrs: dict | None = None) -> None:
        base = {"cols": 80, "class": "vLargeTextField pretty-json", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, forms.fields.InvalidJSONInput):
            return str(value)
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return str(value)
        # A null column shows as an empty box (and an empty box saves as null)
        # rather than the word "null".
        return None if parsed is None else pretty_json(parsed)

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        text = context["widget"]["value"] or ""
        rows = min(max(text.count("\n") + 1, self.min_rows), self.max_rows)
        context["widget"]["attrs"]["rows"] = rows
        return context


class PrettyJSONMixin:
    """Mix into a ModelAdmin or an inline: every editable JSONField gets the widget."""

    formfield_overrides = {models.JSONField: {"widget": PrettyJSONWidget}}


def pretty_json_display(field_name: str, description: str) -> Callable[[Any, Any], SafeString]:
    """A read-only admin column/field showing `field_name` pretty-printed.

    Assign it on the ModelAdmin class and list the attribute name in
    `readonly_fields` (or `list_display`); the admin calls it with the object.
    """

    @admin.display(description=description)
    def display(model_admin: Any, obj: Any) -> SafeString:
        return pretty_json_html(getattr(obj, field_name, None) if obj is not None else None)

    display.__name__ = f"{field_name}_pretty"
    return display
