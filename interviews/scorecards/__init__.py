"""Scorecards: the end-of-interview assessment.

Owns: generation and the interviewer's edits (notes, adjusted scores, the human
decision; `services`), their reads (`selectors`), what pages make of them
(`presenters`: the panel, the report, CSV cells, the compare matrix), the pages and
forms (`views`, `forms`), the admin action (`admin`), the Jira hand-off (`jira`) and
the radar chart (`charts`).

May import: models, selectors, the event log, and the analysis providers (through
`analysis.chain`). Imported by: the analysis runner (a finished interview's
scorecard) and the entry points.
"""
