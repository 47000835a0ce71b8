"""Role detection: the speaker who asks the questions is the host, whoever spoke first."""

from __future__ import annotations

from interviews.analysis.base import Utterance
from interviews.analysis.builtin import BuiltinProvider, detect_roles_sync


def talk(*turns: tuple[str, str]) -> list[Utterance]:
    return [
        Utterance(transcript_id=n, speaker=speaker, role=None, text=text, start_ms=n * 1000)
        for n, (speaker, text) in enumerate(turns, start=1)
    ]


SPANISH_SPEAKER_1_ASKS = talk(
    ("speaker_0", "Hola, buenas tardes. Sí, se me oye bien, gracias."),
    (
        "speaker_1",
        "Bienvenida. Te cuento: somos una fintech y buscamos una persona backend. "
        "¿Me hablas de tu último proyecto?",
    ),
    (
        "speaker_0",
        "Claro. Trabajaba en una empresa de pagos, llevaba la API en Django y la "
        "integración con Stripe, y además hacía guardias una semana al mes.",
    ),
    ("speaker_1", "¿Cómo aseguráis la calidad del código?"),
    (
        "speaker_0",
        "Con revisiones de código obligatorias, pytest en la integración continua y "
        "un mínimo de cobertura del ochenta por ciento.",
    ),
    ("speaker_1", "Muy bien. ¿Y qué harías si no estás de acuerdo con tu responsable?"),
    ("speaker_0", "Se lo diría en privado, con datos, y si decide otra cosa lo acepto."),
)


def test_speaker_1_is_the_host_when_speaker_1_asks_the_questions():
    guess = detect_roles_sync(SPANISH_SPEAKER_1_ASKS, "es")
    assert guess is not None
    assert (guess.host, guess.guest) == ("speaker_1", "speaker_0")
    assert 60 <= guess.confidence <= 100


def test_the_candidate_asking_questions_at_the_end_is_still_the_guest():
    turns = talk(
        ("speaker_0", "Welcome, and thanks for coming. Tell me about yourself."),
        (
            "speaker_1",
            "Sure. I've been a backend engineer for six years, mostly Python and "
            "Django, and for the last two I've led a team of four.",
        ),
        ("speaker_0", "What was your biggest technical challenge?"),
        (
            "speaker_1",
            "Moving a monolith to services without downtime; we did it route by "
            "route over eight months and nobody noticed.",
        ),
        ("speaker_0", "How do you handle disagreements in the team?"),
        ("speaker_1", "I ask for data, we prototype both options and pick the one that wins."),
        ("speaker_0", "Great. Do you have any questions for me?"),
        ("speaker_1", "Yes, a few. How big is the team?"),
        ("speaker_0", "Eight engineers and a product manager."),
        ("speaker_1", "What does your stack look like? Do you use Kubernetes?"),
        ("speaker_0", "Yes, on AWS."),
        ("speaker_1", "And what are the next steps? When will I hear back?"),
        ("speaker_0", "Within a week."),
    )
    guess = detect_roles_sync(turns, "en")
    assert guess is not None
    assert (guess.host, guess.guest) == ("speaker_0", "speaker_1")


def test_spanish_candidate_asking_about_vosotros_at_the_end_is_the_guest():
    turns = talk(
        ("speaker_1", "Hola, ¿qué tal? Encantada."),
        ("speaker_0", "Hola. Vamos a empezar. ¿Cuántos años llevas con Python?"),
        ("speaker_1", "Unos seis años, los últimos cuatro con Django en una empresa de logística."),
        ("speaker_0", "¿Has liderado equipos?"),
        ("speaker_1", "Sí, durante dos años llevé un equipo de cuatro personas y contraté a dos."),
        ("speaker_0", "Perfecto. ¿Tienes alguna pregunta?"),
        ("speaker_1", "Sí, ¿cuántas personas sois en el equipo? ¿Y usáis Kubernetes?"),
        ("speaker_0", "Somos ocho, y sí, en AWS."),
        ("speaker_1", "¿Y tenéis teletrabajo?"),
        ("speaker_0", "Dos días a la semana."),
    )
    guess = detect_roles_sync(turns, "es")
    assert guess is not None
    assert guess.host == "speaker_0"


def test_english_interview_where_speaker_1_is_the_interviewer():
    turns = talk(
        ("speaker_0", "Hi, sorry I'm a bit late, the train was delayed."),
        ("speaker_1", "No problem. Can you walk me through your current role?"),
        (
            "speaker_0",
            "I'm a data engineer at a retailer; I own the Airflow pipelines that feed "
            "the pricing models and the daily sales reports.",
        ),
        ("speaker_1", "How do you test those pipelines?"),
        (
            "speaker_0",
            "Unit tests for the transformations and a staging run on a sample of "
            "yesterday's data before every release.",
        ),
    )
    guess = detect_roles_sync(turns, "en")
    assert guess is not None
    assert (guess.host, guess.guest) == ("speaker_1", "speaker_0")


def test_not_enough_speech_gives_no_guess():
    assert detect_roles_sync([], "es") is None
    three = talk(
        ("speaker_0", "¿Me oyes?"),
        ("speaker_1", "Sí, perfectamente."),
        ("speaker_0", "¿Empezamos?"),
    )
    assert detect_roles_sync(three, "es") is None
    one_voice = talk(*[("speaker_0", f"Frase número {n} de la misma persona.") for n in range(6)])
    assert detect_roles_sync(one_voice, "es") is None


def test_utterances_without_a_speaker_do_not_count():
    turns = [
        *SPANISH_SPEAKER_1_ASKS[:3],
        Utterance(transcript_id=99, speaker=None, role=None, text="¿Hola?"),
    ]
    assert detect_roles_sync(turns, "es") is None


def test_little_speech_gives_lower_confidence_than_a_whole_interview():
    short = detect_roles_sync(SPANISH_SPEAKER_1_ASKS[:4], "es")
    full = detect_roles_sync(SPANISH_SPEAKER_1_ASKS, "es")
    assert short is not None and full is not None
    assert short.host == full.host == "speaker_1"
    assert short.confidence < full.confidence


async def test_the_provider_detects_roles_asynchronously():
    guess = await BuiltinProvider().detect_roles(SPANISH_SPEAKER_1_ASKS, "es")
    assert guess.host == "speaker_1"
