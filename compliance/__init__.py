"""Candidate rights: erasure and export on request, and retention that deletes.

Owns no tables of its own: it works on candidates, their interviews and the
audit log, so it sits on top of them (it may import accounts, audit, candidates
and interviews; nothing imports it). Deleting a candidate cascades to their
interviews in the database, so candidates never needs to know about interviews.
"""
