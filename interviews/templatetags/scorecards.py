"""Template filters for scorecards: what of the AI's verdict a viewer may see."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def ai_visible_to(card, user) -> bool:
    """`{% if card|ai_visible_to:request.user %}`: the AI's recommendation and
    overall score, only once the person has decided (Scorecard.ai_visible_to)."""
    return bool(card) and card.ai_visible_to(user)
