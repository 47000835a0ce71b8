"""The audit log: who did what to which candidate or interview, and when.

Owns the append-only `audit_events` table and `audit_record`, the one way to
write it. Imports only accounts (the actor) and Django; candidates, interviews and
compliance import it, so every layer can record what it does.
"""
