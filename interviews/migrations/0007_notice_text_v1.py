"""The first version of the candidate notice, in Spanish and English, and the
database delete rules of candidate_notices (interview_companion/db_rules.py).

Staff write later versions in the admin; this one says what the issue asks every
version to say: what is recorded, that an AI assists the interviewer, that a
person decides, how long data is kept, and how to ask for access or erasure.
"""

from __future__ import annotations

from django.db import migrations

from interview_companion.db_rules import apply_foreign_key_rules
from interviews.notice_texts import FIRST_VERSION


def seed(apps, schema_editor):
    NoticeText = apps.get_model("interviews", "NoticeText")
    for language, text in FIRST_VERSION.items():
        NoticeText.objects.get_or_create(version=1, language=language, defaults={"text": text})


def unseed(apps, schema_editor):
    apps.get_model("interviews", "NoticeText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("interviews", "0006_candidate_notices")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(apply_foreign_key_rules, migrations.RunPython.noop, elidable=False),
    ]
