"""The six dimensions a scorecard rates, which a job position's requirements may
weight (`requirements.weights`). Defined here, below interviews, so both the
position form and the scorecard read the one list."""

from __future__ import annotations

DIMENSIONS = ("attitude", "communication", "technical", "strategic", "leadership", "english")
