"""The first version of the candidate notice, in Spanish and English.

Seeded by a migration; staff write later versions in the admin. Also the fallback
when the table is empty (a database flushed by a test run): an interview is never
blocked for want of a text to read.
"""

from __future__ import annotations

ES = (
    "Antes de empezar, queremos contarte cómo usamos esta entrevista.\n\n"
    "Con tu permiso, grabamos el audio de la conversación y lo convertimos en texto. "
    "Un asistente de inteligencia artificial lee ese texto y ayuda a tu entrevistador "
    "o entrevistadora con sugerencias y notas. La IA no decide nada: la decisión sobre "
    "tu candidatura la toma una persona, que revisa y puede corregir todo lo que la IA "
    "propone.\n\n"
    "Guardamos la transcripción y las notas de la IA durante 180 días desde el final de "
    "la entrevista; la valoración y la decisión, hasta dos años desde tu última "
    "entrevista con nosotros. Después se borran.\n\n"
    "Puedes pedirnos en cualquier momento una copia de tus datos o que los borremos, "
    "escribiendo a la persona de selección que te ha contactado.\n\n"
    "Si prefieres que no grabemos, dilo ahora: la entrevista sigue igual, sin "
    "grabación ni análisis automático."
)

EN = (
    "Before we start, we want to tell you how this interview is used.\n\n"
    "With your permission, we record the audio of this conversation and turn it into "
    "text. An artificial-intelligence assistant reads that text and helps your "
    "interviewer with suggestions and notes. The AI decides nothing: a person makes the "
    "decision about your application, and reviews and can correct everything the AI "
    "suggests.\n\n"
    "We keep the transcript and the AI's notes for 180 days after the interview ends; "
    "the assessment and the decision for up to two years after your last interview "
    "with us. Then they are deleted.\n\n"
    "You can ask us at any time for a copy of your data or for it to be erased, by "
    "writing to the recruiter who contacted you.\n\n"
    "If you would rather not be recorded, say so now: the interview goes ahead the "
    "same way, without recording or automatic analysis."
)

FIRST_VERSION = {"es": ES, "en": EN}
