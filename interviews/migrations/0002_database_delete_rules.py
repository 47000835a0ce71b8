from __future__ import annotations

from django.db import migrations

from interview_companion.db_rules import apply_foreign_key_rules


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("candidates", "0001_initial"),
        ("interviews", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(apply_foreign_key_rules, migrations.RunPython.noop, elidable=False),
    ]
