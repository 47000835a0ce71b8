"""Codes turned into words, in the page's language: one place, used by every page,
the report, the CSV and the Jira hand-off."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

DIMENSION_LABELS = {
    "attitude": gettext_lazy("Attitude"),
    "communication": gettext_lazy("Communication"),
    "technical": gettext_lazy("Technical"),
    "strategic": gettext_lazy("Strategic"),
    "leadership": gettext_lazy("Leadership"),
    "english": gettext_lazy("English"),
}
