"""The built-in provider's chunk analysis: what it flags, and the state it keeps.

Pure computation, no database: each test feeds chunks as the pipeline would.
"""

from __future__ import annotations

import json

from candidates.requirements import DIMENSIONS
from interviews.analysis.base import PROTECTED_QUESTION_TOPIC, ChunkContext, Utterance
from interviews.analysis.builtin import BuiltinProvider, analyze
from interviews.analysis.validation import validate_chunk_analysis

REQUIREMENTS = {
    "technical_skills": ["Python", "Django", "PostgreSQL", "Docker"],
    "experience": "5+ years",
    "english_level": "B2",
    "nice_to_have": ["Kubernetes"],
}


def guest(
    text,
    *,
    question="¿Puedes contarme más?",
    state=None,
    language="es",
    cv=None,
    n=2,
    requirements=REQUIREMENTS,
):
    return ChunkContext(
        interview_id=1,
        language=language,
        chunk=Utterance(transcript_id=n, speaker="speaker_1", role="guest", text=text),
        question=question,
        requirements=requirements,
        cv_data=cv or {},
        state=state if state is not None else {},
    )


def host(text, *, state=None, language="es", n=1):
    return ChunkContext(
        interview_id=1,
        language=language,
        chunk=Utterance(transcript_id=n, speaker="speaker_0", role="host", text=text),
        question=None,
        requirements=REQUIREMENTS,
        cv_data={},
        state=state if state is not None else {},
    )


def validated(context):
    result = analyze(context)
    sources = [context.chunk.text, *([context.question] if context.question else [])]
    return validate_chunk_analysis(result, sources)


def by_type(result, kind):
    return [i for i in result.insights if i.type == kind]


def test_vague_answer_is_a_warning_red_flag_quoting_the_answer():
    text = "Pues un poco de todo, la verdad, lo que fuera saliendo en el día a día."
    result = validated(guest(text, question="¿Qué hacías exactamente en tu último puesto?"))
    [flag] = by_type(result, "red-flag")
    assert flag.severity == "warning"
    assert flag.topic == "vague_answer"
    assert flag.evidence and flag.evidence in text
    assert flag.suggestion.startswith("¿")
    assert 1 <= flag.response_quality <= 4


def test_evasive_answer_has_evasive_sentiment_and_repeats_the_question():
    result = validated(
        guest(
            "Prefiero no entrar en eso. Pasemos a otra cosa.",
            question="¿Por qué dejaste tu último trabajo?",
        )
    )
    [flag] = by_type(result, "red-flag")
    assert flag.sentiment == "evasive"
    assert flag.topic == "evasive_answer"
    assert "¿Por qué dejaste tu último trabajo?" in flag.suggestion


def test_strong_answer_is_a_green_flag_naming_the_required_tools():
    text = (
        "Detectamos que el ORM de Django hacía 300 consultas por página. Añadí un índice en "
        "PostgreSQL y la página pasó de 2,5 segundos a 180 milisegundos."
    )
    result = validated(guest(text, question="¿Cómo mejoraste el rendimiento?"))
    [flag] = by_type(result, "green-flag")
    assert flag.severity == "success"
    assert flag.sentiment == "positive"
    assert "Django" in flag.content and "PostgreSQL" in flag.content
    assert flag.response_quality >= 8
    assert flag.evidence in text
    assert result.state["scores"]["technical"] >= 8


def test_english_answer_gets_english_rules_and_an_english_content_in_english_interview():
    text = "I'd rather not get into that, honestly. Can we move on?"
    result = validated(guest(text, question="Why did you leave?", language="en"))
    [flag] = by_type(result, "red-flag")
    assert flag.content.startswith("Evasive answer")
    assert not by_type(result, "note")  # no language switch: the interview is in English


def test_years_of_experience_stated_two_ways_is_a_contradiction_quoting_the_chunk():
    first = validated(guest("Tengo ocho años de experiencia como desarrollador.", n=2))
    assert not by_type(first, "contradiction")
    text = "Bueno, como llevo unos tres años programando, todavía me queda mucho por aprender."
    second = validated(guest(text, state=first.state, n=4))
    [contradiction] = by_type(second, "contradiction")
    assert contradiction.severity == "warning"
    assert contradiction.evidence in text
    assert "3" in contradiction.content and "8" in contradiction.content


def test_claims_against_the_cv_are_contradictions():
    cv = {
        "years_of_experience": 2,
        "skills": [{"name": "Docker", "key": "docker"}],
        "work": [{"company": "Telefónica", "startDate": "2021-03", "endDate": "2022-01"}],
    }
    years = validated(guest("Con mis diez años de experiencia en backend he visto de todo.", cv=cv))
    skill = validated(guest("La verdad es que Docker no lo he usado nunca.", cv=cv))
    company = validated(guest("Estuve cinco años en Telefónica.", cv=cv))
    consistent = validated(guest("Docker lo uso a diario para los entornos locales.", cv=cv))
    assert [i.topic for i in by_type(years, "contradiction")] == ["years_total"]
    assert [i.topic for i in by_type(skill, "contradiction")] == ["skill_use"]
    assert [i.topic for i in by_type(company, "contradiction")] == ["company_years"]
    assert not by_type(consistent, "contradiction")


def test_a_contradiction_is_raised_once_even_if_repeated():
    state = analyze(guest("I have eight years of experience.", language="en")).state
    again = "I've only been coding for about three years."
    first = analyze(guest(again, state=state, language="en", n=4))
    second = analyze(guest(again, state=first.state, language="en", n=6))
    assert len(by_type(first, "contradiction")) == 1
    assert not by_type(second, "contradiction")


def test_suggestions_cover_missing_requirements_once_each_in_the_interview_language():
    state: dict = {}
    suggested = []
    answers = [
        "Trabajo con Python y Django desde hace años en una consultora.",
        "Me gusta trabajar en equipo y aprender cosas nuevas cada día.",
        "Sí, hago revisiones de código con mis compañeros a menudo.",
        "Prefiero entornos tranquilos donde se pueda pensar con calma.",
        "Me interesa mucho el producto que estáis construyendo.",
        "Sí, suelo documentar lo que hago en la wiki del equipo.",
        "También he preparado alguna charla interna sobre testing.",
        "Me muevo bien con la terminal y con Linux en general.",
    ]
    for n, text in enumerate(answers, start=1):
        result = analyze(guest(text, state=state, n=2 * n))
        state = result.state
        suggested += [i for i in result.insights if i.type == "suggestion"]
    topics = [s.topic for s in suggested]
    assert topics == sorted(set(topics), key=topics.index)  # no repeats
    assert "requirement:python" not in topics and "requirement:django" not in topics
    assert topics[0] == "requirement:postgresql"
    assert all(
        s.severity == "info" and s.suggestion.startswith("¿")
        for s in suggested
        if s.topic != "requirement:english"
    )
    assert state["covered_requirements"][:2] == ["python", "django"]


def test_a_requirement_the_host_asked_about_is_not_suggested():
    state = analyze(host("¿Qué experiencia tienes con PostgreSQL y con Docker?")).state
    for n in range(2, 8):
        result = analyze(guest("Sí, bastante, en varios proyectos distintos.", state=state, n=n))
        state = result.state
        assert not any(
            i.topic in {"requirement:postgresql", "requirement:docker"} for i in result.insights
        )
    assert {"postgresql", "docker"} <= set(state["covered_requirements"])


def test_switch_to_english_in_a_spanish_interview_is_a_note_with_an_english_score():
    state = analyze(guest("Trabajo con Django desde hace tres años en una startup.")).state
    assert "english" not in state["scores"]
    text = (
        "Sure. In my last project I was working on a payments API with Django, and I was "
        "responsible for the integration with Stripe and the webhooks."
    )
    result = validated(guest(text, question="Let's switch to English.", state=state, n=4))
    [note] = [i for i in result.insights if i.topic == "language_switch"]
    assert note.type == "note" and note.content.startswith("El candidato responde en inglés")
    # 25 English words: a note, but no level yet (issue 16: about 40 are needed).
    assert "english" not in result.state["scores"]
    more = (
        "We also moved the webhooks to a queue with Celery, so a slow partner never blocked "
        "the checkout, and I wrote the retry policy myself."
    )
    later = validated(guest(more, question="And then?", state=result.state, n=6))
    assert later.state["scores"]["english"] >= 7


def test_no_english_level_from_fewer_than_forty_english_words():
    state: dict = {}
    for n, text in enumerate(("Sure.", "Yes, of course, no problem.", "I think so, yes."), 1):
        result = analyze(guest(text, question="Can we continue in English?", state=state, n=n))
        state = result.state
        assert "english" not in state["scores"]
        assert all((i.score or {}).get("english") is None for i in result.insights)


def test_weak_english_scores_low():
    text = "Yes, of course. I am backend developer since five years and I like very much the data."
    more = (
        "In my job I am making the APIs and the tests, and my team is doing the deploy every "
        "week, and also I am helping the frontend peoples with the problems."
    )
    state = analyze(guest(text)).state
    result = analyze(guest(more, state=state, n=4))
    assert result.state["scores"]["english"] <= 5


def test_an_all_spanish_interview_has_no_english_score():
    state: dict = {}
    for n, text in enumerate(
        [
            "Llevo seis años con Python y los últimos cuatro con Django.",
            "Reduje el tiempo de despliegue de 40 minutos a 8 con Docker.",
            "Pues un poco de todo, lo normal.",
        ]
    ):
        state = analyze(guest(text, state=state, n=n)).state
    assert "english" not in state["scores"]
    assert {"attitude", "communication", "technical"} <= set(state["scores"])


def test_protected_questions_are_critical_notes_for_the_interviewer_in_both_languages():
    cases = [
        ("¿Tienes hijos o piensas tenerlos pronto?", "es", "Para el entrevistador"),
        ("¿Cuántos años tienes?", "es", "Para el entrevistador"),
        ("Are you married?", "en", "For the interviewer"),
        ("Do you go to church on Sundays?", "en", "For the interviewer"),
    ]
    for text, language, prefix in cases:
        result = validated(host(text, language=language))
        [note] = result.insights
        assert note.type == "note" and note.severity == "critical"
        assert note.topic == PROTECTED_QUESTION_TOPIC
        assert note.content.startswith(prefix)
        assert note.suggestion and note.evidence == text
        assert note.score is None


def test_a_protected_question_never_changes_the_candidates_scores():
    state = analyze(guest("Reduje el coste de AWS un 30 % en seis meses con Terraform.")).state
    after = analyze(host("¿Estás embarazada?", state=state, n=5)).state
    assert after["scores"] == state["scores"]
    assert after["samples"] == state["samples"]
    assert after["counts"]["protected_questions"] == 1


def test_lawful_host_questions_give_no_insight():
    for text in [
        "¿Cuántos años de experiencia tienes con Python?",
        "¿Tienes permiso de trabajo en España?",
        "How do you handle child processes in Linux?",
        "When could you start?",
    ]:
        assert analyze(host(text, language="en" if text.isascii() else "es")).insights == []


def test_state_is_json_keeps_everything_and_never_mutates_its_input():
    chunks = [
        host("¿Cuántos años de experiencia tienes?"),
        guest("Tengo ocho años de experiencia como desarrollador."),
        host("¿Y con Docker?"),
        guest("Docker lo uso a diario en todos los proyectos."),
        host("¿Cuál es tu nacionalidad?"),
        guest("Pues un poco de todo, lo normal."),
    ]
    state: dict = {}
    previous_claims = 0
    for n, context in enumerate(chunks):
        frozen = json.dumps(state, sort_keys=True)
        context = ChunkContext(
            **{
                **context.__dict__,
                "state": state,
                "chunk": Utterance(**{**context.chunk.__dict__, "transcript_id": n}),
            }
        )
        result = analyze(context)
        assert json.dumps(state, sort_keys=True) == frozen  # the input state is untouched
        json.dumps(result.state)  # JSON-serialisable
        assert len(result.state["claims"]) >= previous_claims
        previous_claims = len(result.state["claims"])
        state = result.state
    assert state["counts"]["guest_chunks"] == 3 and state["counts"]["host_chunks"] == 3
    assert state["counts"]["protected_questions"] == 1
    assert [f["topic"] for f in state["flags"]] == ["vague_answer"]
    assert all(isinstance(v, int) and 1 <= v <= 10 for v in state["scores"].values())
    assert set(state["scores"]) <= set(DIMENSIONS)


def test_same_input_gives_same_output():
    context = guest("Reduje el tiempo de despliegue de 40 minutos a 8 con Docker y GitHub Actions.")
    assert analyze(context) == analyze(context)


async def test_the_provider_is_async_and_named_builtin():
    provider = BuiltinProvider()
    assert provider.name == "builtin"
    result = await provider.analyze_chunk(guest("Prefiero no hablar de eso, siguiente pregunta."))
    assert result.insights[0].sentiment == "evasive"


def test_a_time_asked_for_is_read_whatever_verb_carries_it():
    cv = {
        "years_of_experience": 15,
        "work": [{"company": "Cemex", "startDate": "2010-01", "endDate": "2021-08"}],
    }
    asked = validated(
        guest(
            "En Cemex, este, como cuatro años y pico, en obras de pavimento.",
            cv=cv,
            question="¿Y cuánto tiempo estuviste en Cemex?",
        )
    )
    assert [i.topic for i in by_type(asked, "contradiction")] == ["company_years"]
    total = validated(
        guest(
            "Y, ocho años más o menos, arranqué medio de grande.",
            cv=cv,
            question="¿Cuánta experiencia tenés en total?",
        )
    )
    assert [i.topic for i in by_type(total, "contradiction")] == ["years_total"]
    # Look-alikes: the career counted from an employer's name; a time ago.
    career = validated(
        guest(
            "Contando desde que entré en Cemex van para quince años, bueno, catorce y pico.",
            cv=cv,
            question="¿Cuántos años de experiencia tenés en total?",
        )
    )
    assert not by_type(career, "contradiction")
    ago = validated(
        guest("Salí de Cemex hace cinco años, en 2021.", cv=cv, question="¿Cuándo saliste?")
    )
    assert not by_type(ago, "contradiction")


def test_a_time_at_an_employer_not_on_the_cv_is_held_against_a_later_one():
    first = analyze(
        guest(
            "Antes estuve en Banorte, en prevención de lavado, casi cinco años.",
            question="¿Qué hacías antes?",
        )
    )
    assert not by_type(first, "contradiction")
    later = analyze(
        guest(
            "La verdad estuve muy poquito en Banorte, como ocho meses.",
            state=first.state,
            n=4,
            question="¿Por qué saliste de Banorte?",
        )
    )
    assert [i.topic for i in by_type(later, "contradiction")] == ["company_years"]
    # Look-alike: the same time in other words; a tool after "en" is no employer.
    same = analyze(
        guest(
            "En Banorte fueron unos cinco años, sí.",
            state=first.state,
            n=4,
            question="¿Cuánto estuviste en Banorte?",
        )
    )
    assert not by_type(same, "contradiction")
    from interviews.analysis.builtin.claims import named_employers

    assert named_employers("hacía los dashboards de ventas en Power BI") == []
