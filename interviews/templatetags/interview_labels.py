"""Template filters over `interviews/labels.py`, so a template shows a code in words
from the same place as every view, the report and the CSV:
`{% load interview_labels %}{{ dim|dimension_label }}`."""

from __future__ import annotations

from django import template

from interviews import labels

register = template.Library()


@register.filter
def dimension_label(code: str) -> str:
    return str(labels.DIMENSION_LABELS.get(code, labels.readable(code)))


@register.filter
def recommendation_label(code: str | None) -> str:
    return labels.recommendation_label(code)


@register.filter
def scorecard_state_label(code: str | None) -> str:
    return labels.scorecard_state_label(code)


@register.filter
def topic_label(code: str | None) -> str:
    return labels.topic_label(code)


@register.filter
def insight_type_label(code: str | None) -> str:
    return labels.insight_type_label(code)
