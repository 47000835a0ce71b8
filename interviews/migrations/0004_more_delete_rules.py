from __future__ import annotations

from django.db import migrations

from interview_companion.db_rules import apply_foreign_key_rules


class Migration(migrations.Migration):
    """Re-applies every rule (idempotent): adds Django's own keys into users."""

    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("accounts", "0002_seed_insert_defaults"),
        ("interviews", "0003_transcript_duration"),
    ]

    operations = [
        migrations.RunPython(apply_foreign_key_rules, migrations.RunPython.noop, elidable=False),
    ]
