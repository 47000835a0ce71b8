"""General rules of how people answer, in the built-in provider: each rule with a
sentence it must catch and a look-alike it must not, in more than one variety.

Pure computation: `answer_features` and `analyze` on hand-written answers (none of
them taken from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from interviews.analysis.builtin.cv import catalogue_for
from interviews.analysis.builtin.features import answer_features

REQUIREMENTS = {"technical_skills": ["Python", "PostgreSQL", "React"], "nice_to_have": []}
CV = {"skills": [{"name": "Next.js"}, {"name": "Docker"}]}


def features(text, question="", language="es", requirements=REQUIREMENTS, cv=CV):
    return answer_features(text, question, language, catalogue_for(requirements, cv))


# ---------------------------------------------------------------- numbers in words


def test_tens_and_hundreds_in_words_make_a_change_from_one_figure_to_another():
    # es-MX, es-AR and en: "de cuarenta a diez", "from eight hundred down to forty".
    assert features("Bajamos de unas cuarenta a menos de diez alertas por semana.").metrics
    assert features("Pasamos de noventa a cincuenta tickets abiertos, viste.").metrics
    assert features(
        "We took p99 from about eight hundred milliseconds down to forty.", language="en"
    ).metrics


def test_a_number_word_without_a_unit_or_a_change_is_no_measured_result():
    assert not features("Éramos cuarenta en la oficina de Guadalajara.").metrics
    assert not features("There were about fifty of us in the office.", language="en").metrics


def test_next_is_a_word_unless_spelled_as_the_framework():
    assert features("I'd need to decide in the next two weeks.", language="en").tools == []
    assert features("Usamos Next.js para las webs con SEO.").tools == ["next"]


# ------------------------------------------------------------------ not vague


def test_an_answer_that_asks_a_question_back_is_not_vague():
    # es-MX, es-ES and en: the candidate answers briefly and asks something back.
    assert not features(
        "Sí, sin problema. Lo que sí me gustaría saber es más o menos cuántas incidencias tienen."
    ).vague
    assert not features("Bueno, un poco de todo. ¿Y vosotros cómo lo hacéis?").vague
    assert not features(
        "Sure, more or less the usual. I was wondering how big the team is.", language="en"
    ).vague
    # Look-alike: the same hedging without the question back stays vague.
    assert features("Bueno, un poco de todo, lo normal, más o menos.").vague
    assert features("More or less the usual, you know, a bit of everything.", language="en").vague


def test_saying_plainly_what_one_has_not_done_is_neither_vague_nor_evasive_nor_strong():
    # es-CL, es-AR, en.
    gap_cl = features("Pucha, eso no me ha tocado. Supongo que habría que coordinarse no más.")
    gap_ar = features("No, Kubernetes no lo he usado, la verdad, lo conozco poco.")
    gap_en = features(
        "Honestly the regulatory side, which I only know a little, you know.", language="en"
    )
    for f in (gap_cl, gap_ar, gap_en):
        assert f.gap and not f.vague and not f.evasive and not f.strong
    # Look-alike: a hedge without the admission is still vague.
    assert features("Supongo que habría que coordinarse, lo normal, y tal.").vague


def test_a_noun_hedge_that_introduces_a_list_names_things():
    en = features(
        "Things like card schemes and PCI compliance, the regulatory side.", language="en"
    )
    es = features("Cosas como la conciliación y los contracargos, la parte regulatoria.")
    assert en.hedges == [] and es.hedges == []
    # Look-alike: the same word left vague.
    assert "things" in features("Just things, you know, the usual things.", language="en").hedges
    assert "cosas" in features("Pues cosas, lo típico, ya sabes.").hedges


def test_answers_to_logistics_questions_are_not_judged_vague_or_strong():
    # es-UY (hybrid work) and en (notice period).
    answer = "Bien, está bien, más o menos lo puedo organizar, en general, lo normal."
    assert not features(
        answer, "Acá el trabajo es híbrido, dos días en la oficina, ¿cómo lo ves?"
    ).vague
    assert features(answer, "¿Cómo organizás el trabajo del equipo?").vague
    notice = "I'd give them two weeks, so we cut the handover time to three days."
    assert not features(notice, "How much notice would you need to give?", language="en").strong
    # Evasion is still evasion there: "prefiero que primero me digan ustedes".
    assert features(
        "Eso depende mucho, prefiero no dar un número.", "¿Cuál es tu expectativa salarial?"
    ).evasive


def test_a_clarification_of_an_earlier_claim_is_not_vague_but_a_reference_to_a_topic_is():
    answer = "Ah, sí... bueno, eso fue más algo que empecé, no sé, más o menos."
    assert not features(answer, "Pero al principio me contaste que lo usaban en producción").vague
    assert not features(
        "Well, kind of, I guess, more or less.", "But earlier you said you led it", language="en"
    ).vague
    assert features(
        "Fue largo, con sus cosas, pero se hizo, más o menos.",
        "¿Cómo fue la migración que mencionaste?",
    ).vague


def test_a_yes_naming_something_answers_a_closed_question():
    assert not features("Sí, usamos RICE a veces, al final lo decide el gerente.").vague
    assert not features("Yeah, Jira mostly, more or less.", language="en").vague
    # Look-alike: a yes with nothing named.
    assert features("Sí, más o menos, lo normal, al final es lo de siempre.").vague


def test_a_moment_in_the_past_is_a_specific():
    en = "Yeah, I try to give them ownership; one of them ran her first review last month."
    assert not features(en, language="en").vague
    assert features("Yeah, I try to give them ownership, you know, stuff.", language="en").vague


# -------------------------------------------------------------------- evasive


def test_asked_for_their_own_instance_an_answer_about_circumstances_and_others_is_evasive():
    # es-AR (blames other areas), es-CO (talks of another team's tools), es-UY
    # (circumstances and habits), en (a truism instead of what they did).
    ar = features(
        "Mirá, el problema ahí fue tecnología, que siempre llegaba tarde, y el área de riesgo cambiaba las reglas.",
        "¿Qué decisiones tomaste vos en ese lanzamiento?",
    )
    co = features(
        "Eh, bueno, allá todo lo manejan con procedimientos, el equipo de sistemas es muy organizado, uno se acomoda.",
        "¿Ha trabajado con dbt?",
    )
    uy = features(
        "Y, en la agencia los tiempos son re cortos, el cliente quiere todo para ayer, uno hace lo que puede.",
        "¿Tenés algún ejemplo donde hayas medido una mejora?",
    )
    en = features(
        "Authentication is very important in any API, you have to protect the customer data.",
        "How did you do the authentication?",
        language="en",
    )
    for f in (ar, co, uy, en):
        assert f.evasive, f


def test_an_instance_with_own_actions_a_plain_no_or_a_hedge_about_oneself_is_no_deflection():
    question = "¿Tenés algún ejemplo donde hayas medido una mejora?"
    # Own action with a figure (es-ES), a plain "no" (es-CO), hedging about oneself (en).
    assert not features(
        "Sí, el cliente se quejaba y medí el LCP con Lighthouse: lo bajé de cuatro a dos segundos.",
        question,
    ).evasive
    assert not features(
        "No, dbt no lo he usado, siempre trabajamos con procedimientos.", "¿Ha trabajado con dbt?"
    ).evasive
    hedged = features(
        "Everyone makes mistakes, I guess, nothing major.",
        "Tell me about a mistake you made.",
        language="en",
    )
    assert hedged.vague and not hedged.evasive


def test_forgetting_a_detail_after_answering_is_not_evasive_forgetting_everything_is():
    question = "¿Hiciste experimentos, A/B tests?"
    assert not features(
        "Sí, en Pagos probamos dos versiones del alta y ganó la más corta. No me acuerdo el número exacto.",
        question,
    ).evasive
    assert not features(
        "Creo que un token... no me acuerdo bien, fue hace tiempo.", "¿Qué usaste?"
    ).evasive
    assert not features(
        "We tested two onboarding flows in Q3 and the shorter won. I don't remember the exact number.",
        language="en",
    ).evasive
    assert features(
        "Ya sabes, esas cosas se resuelven, no me acuerdo de los detalles.", question
    ).evasive
    assert features(
        "You know, those things get resolved, I don't remember the details.", language="en"
    ).evasive


# --------------------------------------------------------------------- strong


def test_a_volume_alone_is_a_fact_not_a_strong_answer():
    assert not features(
        "Pues ahora mismo unos dos millones de cobros al mes, con picos de cinco veces la media, porque mucha gente cobra el día uno.",
        "¿Qué volumen movéis?",
    ).strong
    assert features(
        "Teníamos picos de cinco veces la media; propuse particionar la tabla y las consultas bajaron de minutos a menos de un segundo.",
        "¿Qué volumen movéis?",
    ).strong


def test_how_long_someone_stayed_is_not_a_measured_result():
    assert not features("Estuve como seis meses no más, haciendo páginas.").metrics
    assert not features(
        "I was there for about three years, doing maintenance.", language="en"
    ).metrics
    assert features("El tiempo de recuperación bajó a unos quince minutos.").metrics
    assert features("Deploys now take ten minutes.", language="en").metrics


def test_a_trade_off_explained_is_substance():
    en = features(
        "Kafka transactions only cover you inside Kafka; our source of truth is Postgres, so the outbox puts "
        "the event in the same transaction rather than in a second system. The cost is a second or two of "
        "latency and a table to prune.",
        "Why the outbox rather than Kafka transactions?",
        language="en",
        requirements={"technical_skills": ["PostgreSQL", "Kafka"]},
    )
    assert en.trade_offs and en.strong
    es = features(
        "Lo valoramos, pero preferimos at-least-once con idempotencia en PostgreSQL en lugar de transacciones, "
        "que nos subían la latencia un treinta por ciento.",
        requirements={"technical_skills": ["PostgreSQL"]},
    )
    assert es.trade_offs and es.strong
    # Look-alike: the same tools listed with no reason or trade-off.
    assert not features(
        "Usamos PostgreSQL y Kafka, lo normal.",
        requirements={"technical_skills": ["PostgreSQL", "Kafka"]},
    ).strong


def test_a_design_answer_with_a_planned_course_and_its_reasons_is_strong():
    es = features(
        "Primero guardaría el webhook en crudo y respondería 200 rápido, para que la pasarela no reintente. "
        "Deduplicaría por el id de evento con una restricción única, y después un proceso asíncrono aplica el "
        "evento sobre una máquina de estados; si llega uno que te haría volver atrás se ignora y se registra. "
        "Para publicar usaría el patrón outbox en la misma transacción, así no pierdes eventos si se cae el servicio.",
        "Imagínate un servicio que recibe webhooks desordenados, ¿cómo lo plantearías?",
    )
    assert es.plans >= 2 and es.strong
    en = features(
        "First I'd store every event as it arrives and I'd acknowledge fast, so that the sender does not retry. "
        "Then I'd deduplicate on the event id with a unique constraint and apply events to a state machine, "
        "ignoring the ones that would move it backwards, and I'd publish downstream through an outbox table in "
        "the same transaction, because otherwise a crash between commit and publish loses the event.",
        "How would you design a webhook receiver?",
        language="en",
    )
    assert en.plans >= 2 and en.strong
    # Look-alike: short hypothetical steps with no reasons.
    assert not features(
        "Ahí haría un select de los clientes, los ordenaría y sacaría los primeros cinco."
    ).strong


# ------------------------------------------------------------- contradictions


def answer(text, *, question, cv, state=None, language="es", n=2):
    from interviews.analysis.base import ChunkContext, Utterance
    from interviews.analysis.builtin import analyze

    return analyze(
        ChunkContext(
            interview_id=1,
            language=language,
            chunk=Utterance(transcript_id=n, speaker="speaker_1", role="guest", text=text),
            question=question,
            requirements=REQUIREMENTS,
            cv_data=cv,
            state=state if state is not None else {},
        )
    )


def contradictions(result):
    return [i for i in result.insights if i.type == "contradiction"]


# A CV typed in by hand: no parsed_at. It says five years in all, the first job from
# 2019-10, so it speaks of 2024-10 and the open-ended job is about three and a half.
HAND_CV = {
    "years_of_experience": 5,
    "work": [
        {"company": "Estudio Norte", "startDate": "2021-05", "endDate": ""},
        {"company": "Tienda Sur", "startDate": "2019-10", "endDate": "2021-04"},
    ],
}
SHORT_CV = {
    "years_of_experience": 2,
    "work": [{"company": "Soluciones Web Quillota", "startDate": "2022-03", "endDate": "2023-12"}],
}


def test_time_at_the_current_employer_said_after_naming_it_is_checked_against_the_cv():
    q = "Contame un poco de vos"
    # es-UY and es-CO ways of saying it.
    uy = answer(
        "Ahora estoy en Estudio Norte, que es una agencia, hace un año más o menos.",
        question=q,
        cv=HAND_CV,
    )
    co = answer(
        "Actualmente estoy como analista en Estudio Norte, allá ya voy para seis años.",
        question=q,
        cv=HAND_CV,
    )
    en = answer(
        "I'm a frontend developer at Estudio Norte, I've been there for about six years.",
        question="Tell me about yourself",
        cv=HAND_CV,
        language="en",
    )
    assert contradictions(uy) and contradictions(co)
    # Look-alike: about what the CV says.
    assert not contradictions(
        answer("Ahora estoy en Estudio Norte hace tres años y pico.", question=q, cv=HAND_CV)
    )
    assert contradictions(en)


def test_a_time_in_months_is_read_and_a_time_without_an_employer_is_about_the_one_named_before():
    q = "cuéntame de ti"
    said = answer(
        "Después entré a trabajar en Soluciones Web Quillota, una empresa chica. Estuve como seis meses no más.",
        question=q,
        cv=SHORT_CV,
    )
    assert contradictions(said)
    assert not contradictions(
        answer(
            "Después entré a trabajar en Soluciones Web Quillota, una empresa chica. Estuve casi dos años.",
            question=q,
            cv=SHORT_CV,
        )
    )
    # No employer named before: the time is about nothing on the CV.
    assert not contradictions(answer("Estuve como seis meses viajando.", question=q, cv=SHORT_CV))


def test_a_piece_of_work_done_alone_and_then_told_as_done_with_others_is_a_contradiction():
    first = answer(
        "No, ese tablero lo hice yo solito, desde la consulta hasta el diseño.",
        question="¿Y ese tablero de ventas lo hizo usted solo o con equipo?",
        cv={},
    )
    later = answer(
        "Eso fue largo: con el ingeniero de datos y la analista, entre los tres fuimos revisando mes por mes.",
        question="Volviendo al tablero de ventas, ¿cómo validó los números?",
        cv={},
        state=first.state,
        n=3,
    )
    assert not contradictions(first) and contradictions(later)
    # Another piece of work with others is no contradiction.
    other = answer(
        "La migración la hicimos entre los tres, con el equipo de infraestructura.",
        question="¿Y la migración del servidor cómo fue?",
        cv={},
        state=first.state,
        n=3,
    )
    assert not contradictions(other)
    en_first = answer(
        "I built the whole thing myself, nobody else on the team knew the billing code.",
        question="Did you build the billing report alone?",
        cv={},
        language="en",
    )
    en_later = answer(
        "We checked it between the three of us, and Priya was the one who built the export.",
        question="Back to the billing report, how did you check the numbers?",
        cv={},
        state=en_first.state,
        language="en",
        n=3,
    )
    assert contradictions(en_later)


def test_we_are_using_a_skill_then_not_having_worked_on_it_is_a_contradiction():
    first = answer(
        "Both are there sir. For async we are using Kafka for all the event processing.",
        question="Is the communication synchronous or asynchronous?",
        cv={},
        language="en",
    )
    later = answer(
        "Actually sir, Kafka part I have not worked hands-on, that is handled by the platform team only.",
        question="What mechanism exactly?",
        cv={},
        state=first.state,
        language="en",
        n=3,
    )
    assert contradictions(later)
    same = answer(
        "Yes, I have worked on the Kafka consumers myself.",
        question="What mechanism exactly?",
        cv={},
        state=first.state,
        language="en",
        n=3,
    )
    assert not contradictions(same)


# -------------------------------------------------------------------- English


def test_spanish_speakers_english_mistakes_are_read():
    from interviews.analysis.builtin.features import english_level

    # Rioplatense and Colombian speakers' English; the corrected look-alike has none.
    _, errors, _, _ = english_level(
        "When I no agree with the designer, I talk with she and we make decision."
    )
    assert len(errors) == 3
    _, errors, _, _ = english_level(
        "I work for a client, eh, is a bank, and I make the components."
    )
    assert errors
    _, errors, _, _ = english_level(
        "When I don't agree with the designer, I talk with her and we make a decision. It is a bank."
    )
    assert errors == []


def test_speech_in_fragments_scores_lower_than_the_same_words_said_whole():
    from interviews.analysis.builtin.features import english_level

    whole = "I am working on a web for a client, a cooperative, and I make the components with React for them."
    broken = "Eh... I am working on... a web for a client, eh, a cooperative... and I make the... the components, eh, with React."
    assert english_level(broken)[0] < english_level(whole)[0]
    # Twenty words or more in English are never scored as if nothing was said.
    assert english_level(broken)[0] >= 2


def test_sustained_error_free_english_is_near_native():
    from interviews.analysis.builtin.features import english_level

    native = (
        "Last year product wanted to launch dynamic surcharges in three weeks. I didn't think the rating "
        "engine could do it safely without a refactor, so instead of saying no I wrote a one-pager with "
        "two options: a hard-coded version for the top three carriers, or the full version in seven weeks. "
        "We went with the first and shipped on time."
    )
    assert english_level(native)[0] >= 8
    short = "We went with the first and shipped on time, and then refactored it later on."
    assert english_level(short)[0] < english_level(native)[0]


def test_a_reply_of_a_few_words_does_not_drag_the_english_level():
    from interviews.analysis.base import ChunkContext, Utterance
    from interviews.analysis.builtin import analyze

    def say(text, state, n):
        return analyze(
            ChunkContext(
                interview_id=1,
                language="en",
                chunk=Utterance(transcript_id=n, speaker="speaker_1", role="guest", text=text),
                question="Tell me about a disagreement.",
                requirements=REQUIREMENTS,
                cv_data={},
                state=state,
            )
        ).state

    long = (
        "Last year product wanted to launch dynamic surcharges in three weeks. I didn't think the rating "
        "engine could do it safely without a refactor, so instead of saying no I wrote a one-pager with "
        "two options, and we went with the first and shipped on time."
    )
    state = say(long, {}, 1)
    before = state["samples"]["english"]
    after = say("Uh, 2012?", state, 2)["samples"]["english"]
    assert after == before
    # Only short replies, enough words in all: each still counts once.
    state = {}
    for n in range(6):
        state = say("Sure, we did that in Go and Postgres.", state, n + 1)
    assert state["samples"]["english"][1] >= 1


def test_one_on_ones_and_juniors_are_talk_of_growing_people():
    assert features("I do weekly one-on-ones with the two juniors.", language="en").leadership
    assert features("Hago one-on-ones cada semana con los juniors del equipo.").leadership
    assert features("Con los juniors hacemos uno a uno cada quince días.").leadership
    # Look-alikes: the same rhythm about things, not people.
    assert not features("I do weekly deploys with the two services.", language="en").leadership
    assert not features("Hago despliegues cada semana con los dos servicios.").leadership


# ------------------------------------------------- deflection by shape (tune16)


def test_asked_what_they_did_an_answer_about_the_team_or_the_process_is_evasive():
    # A second person preterite (tú and vos alike) or "usted" with a past verb asks
    # for the candidate's own part; the answer talks of the team and the process.
    for question in (
        "¿Y la base de datos la modelaste tú?",
        "y el despliegue lo automatizaste vos",
        "¿Usted lo configuró o ya estaba hecho?",
    ):
        said = features(
            "Bueno, eso lo llevamos en equipo, hay una compañera de infraestructura que "
            "se encarga de esa parte y la verdad es que somos muy unidos, cada uno aporta.",
            question=question,
        )
        assert said.evasive, question
    # Look-alike: the same question answered with an own action is no deflection.
    assert not features(
        "Sí, la modelé yo: separé pedidos y pagos en dos tablas y añadí índices por fecha.",
        question="¿Y la base de datos la modelaste tú?",
    ).evasive


def test_a_request_for_one_occasion_answered_with_a_good_relationship_is_evasive():
    q_es = "Cuéntame un desacuerdo con alguien de tu equipo"
    assert features(
        "Mira, con mi equipo me llevo muy bien, somos como hermanos, salimos a cenar "
        "y siempre estamos de acuerdo en todo.",
        question=q_es,
    ).evasive
    q_en = "Tell me about a disagreement with a colleague"
    assert features(
        "Honestly I get along with everyone, we have a great relationship as a team and "
        "we always find common ground.",
        question=q_en,
        language="en",
    ).evasive
    # "Cuéntame un poco de ti" asks for no occasion: talk of the team is an answer.
    assert not features(
        "Trabajo en el equipo de pagos, somos seis y llevamos la pasarela.",
        question="Cuéntame un poco de tu trabajo actual",
    ).evasive


def test_asked_how_many_an_answer_with_no_figure_that_talks_round_it_is_evasive():
    assert features(
        "Uf, eso variaba, a veces más y a veces menos, la gente entraba y salía.",
        question="¿Cuántos clientes llevabas en la cartera?",
    ).evasive
    assert features(
        "It really depends on the season, sometimes more, sometimes less.",
        question="How many tickets did the team close per week?",
        language="en",
    ).evasive
    # Look-alikes: a figure answers it; "en cuanto a" is "as for", not "how many".
    assert not features(
        "Unos treinta, a veces algo más en diciembre.",
        question="¿Cuántos clientes llevabas en la cartera?",
    ).evasive
    assert not features(
        "Los hacemos a veces los martes y a veces los jueves, según el calendario.",
        question="¿Y en cuanto a los despliegues, qué opinas?",
    ).evasive


def test_answering_a_question_with_a_question_and_nothing_more_is_evasive():
    assert features(
        "¿Y ustedes qué framework usan en el área? Porque yo lo que sea lo aprendo rápido, de verdad.",
        question="En tu CV pone React, ¿qué has hecho con React?",
    ).evasive
    # Look-alikes: a clarifying question followed by an answer with an own action,
    # a tag question ("¿sabes?") on a statement, and questions when invited.
    assert not features(
        "¿En producción o en pruebas? En producción configuré yo las alertas con Grafana.",
        question="¿Cómo monitorizabais el servicio?",
    ).evasive
    assert not features(
        "Lo que sí me interesa es cómo se reparte el trabajo entre los equipos, ¿cómo lo hacen?",
        question="¿Tienes alguna pregunta para nosotros?",
    ).evasive
    tagged = features("Lo monté con Docker y PostgreSQL, ¿sabes?, y bajó el tiempo de arranque.")
    assert not tagged.asks_back


def test_a_yes_that_opens_a_justification_is_no_direct_answer():
    assert not features("Sí, es que ahí todo se hacía entre todos.").direct
    assert features("Sí, lo hice yo con Python.").direct


def test_why_questions_are_answered_by_circumstances():
    assert not features(
        "The project I was hired for got cancelled and the team had no other opening.",
        question="Why did you leave after six months?",
        language="en",
    ).evasive


# ------------------------------------------------------- contradictions (tune16)


def test_a_time_with_fillers_and_an_employer_named_in_the_question_is_read():
    cv = {
        "work": [{"company": "Ferretería Los Andes", "startDate": "2021-01", "endDate": "2022-01"}]
    }
    said = answer(
        "Ahí estuve... pues como tres años, más o menos.",
        question="¿Y en Ferretería Los Andes qué hacías?",
        cv=cv,
    )
    assert contradictions(said)
    assert not contradictions(
        answer("Ahí estuve como un año.", question="¿Y en Ferretería Los Andes qué hacías?", cv=cv)
    )


def test_a_company_said_without_its_business_words_is_the_one_on_the_cv():
    cv = {"work": [{"company": "Nubeclara Technologies", "startDate": "2022-05", "endDate": ""}]}
    said = answer(
        "I joined Nubeclara in 2018 as a support engineer.",
        question="Walk me through your career",
        cv=cv,
        language="en",
    )
    assert contradictions(said)
    assert not contradictions(
        answer(
            "I joined Nubeclara in 2022 as a support engineer.",
            question="Walk me through your career",
            cv=cv,
            language="en",
        )
    )


def test_having_built_the_team_and_then_found_it_built_is_a_contradiction():
    first = answer(
        "Soy jefa de soporte y a todos los contraté yo, armé el equipo desde cero.",
        question="Contame de tu rol actual",
        cv={},
    )
    later = answer(
        "Cuando entré el equipo ya estaba armado, contraté a una persona nomás.",
        question="¿Cuántas personas contrataste?",
        cv={},
        state=first.state,
        n=3,
    )
    assert not contradictions(first) and contradictions(later)
    en_first = answer(
        "HR handled the hiring, I only sat in on a couple of interviews.",
        question="How did you hire?",
        cv={},
        language="en",
    )
    en_later = answer(
        "Yes, I hired most of the team, about six engineers last year.",
        question="Did you hire people there?",
        cv={},
        state=en_first.state,
        language="en",
        n=3,
    )
    assert contradictions(en_later)


# ----------------------------------------------------------- vague (tune16)


def test_impersonal_habits_with_nothing_concrete_are_a_generality():
    assert features(
        "Ahí uno siempre trata de estar encima, es importante que el cliente esté bien atendido.",
        question="¿Cómo gestionas las quejas de los clientes grandes?",
    ).vague
    assert features(
        "You always try to stay on top of it, it's important that the customer feels looked after.",
        question="How do you handle escalations from big accounts?",
        language="en",
    ).vague
    # Look-alike: the same habits with a figure and an own action are an answer.
    assert not features(
        "Siempre reviso la cola a las nueve y el mes pasado bajé las quejas de 40 a 12.",
        question="¿Cómo gestionas las quejas de los clientes grandes?",
    ).vague


def test_generic_first_steps_and_stock_motives_are_vague():
    assert features(
        "Primero entender la situación, hablar con todos y después armar un plan, paso a paso.",
        question="¿Qué harías las primeras semanas si el proyecto va atrasado?",
    ).vague
    assert features(
        "Busco nuevos desafíos y seguir aprendiendo, la verdad.",
        question="¿Por qué quieres cambiar de trabajo?",
    ).vague
    assert features(
        "First understand the situation, talk to everyone, then make a plan and take it from there.",
        question="What would you do in your first month?",
        language="en",
    ).vague


def test_a_short_self_assessment_of_a_language_is_not_vague():
    assert not features(
        "Lo leo más o menos bien, hablarlo me cuesta un poco más.",
        question="¿Y qué tal andas de inglés?",
    ).vague
    assert not features(
        "I get by, reading is fine, speaking a bit less.",
        question="Do you speak any other languages?",
        language="en",
    ).vague


def test_a_statement_with_a_tag_question_is_an_answer_to_judge():
    from interviews.analysis.builtin.chunks import _is_candidate_question

    assert _is_candidate_question("¿Y el equipo cuántas personas son?")
    assert not _is_candidate_question(
        "¿Lo decís por el backend? Porque eso no se puede medir igual, ¿no?"
    )


def test_indirect_protected_questions_in_several_varieties():
    from interviews.analysis.builtin.chunks import protected_grounds

    assert protected_grounds("¿y tenés pensado casarte en algún momento?", "es")[0]
    assert protected_grounds("qué acento lindo, ¿de dónde son tus padres?", "es")[0]
    assert protected_grounds("Is your partner a man or a woman, for the party list?", "en")[0]
    assert protected_grounds("Were you part of the staff association there?", "en")[0]
    assert protected_grounds("¿Estuviste en el comité de empresa?", "es")[0]
    # Lawful look-alikes.
    assert not protected_grounds("¿Tenés permiso de trabajo en Uruguay?", "es")[0]
    assert not protected_grounds("Would you be okay joining the on-call rota?", "en")[0]
    assert not protected_grounds("We have a staff meeting every Monday.", "en")[0]


# Sentences of their own (not the corpus's), one or two per ground and variety,
# with the look-alikes each new pattern must leave alone.
PROTECTED_ROUND_ONE = [
    ("es", "age", "Oye, te ves bien jovencita, ¿en qué año es que naciste?"),
    ("es", "age", "y a usted cuánto le falta para jubilarse, más o menos"),
    ("es", "family", "Bárbaro. ¿Y vos tenés pensado agrandar la familia?"),
    ("es", "family", "ya, ¿y los cabros chicos quién te los cuida en la tarde?"),
    ("es", "family", "¿Y tenís guagua o todavía no?"),
    ("es", "marital_status", "¿Y su esposa trabaja también, o está en la casa?"),
    ("es", "religion", "¿Vosotros sois practicantes? Lo digo por los turnos del domingo."),
    ("es", "origin", "¿Y tú eres venezolano? Es que hablas distinto."),
    ("es", "origin", "¿Cuál es tu lengua materna, el gallego?"),
    ("es", "origin", "mirá, ¿tus viejos de dónde son? por el apellido digo"),
    ("es", "health", "¿Estuviste con carpeta médica el año pasado?"),
    ("es", "health", "y más o menos cuánto pesás, es por el equipo de protección"),
    ("es", "union", "¿Y tú hiciste huelga en tu anterior trabajo?"),
    ("es", "union", "che, ¿vos te adheriste a los paros del año pasado?"),
    ("es", "sexual_orientation", "¿Usted tiene novio o novia? Pregunto nomás."),
    ("en", "age", "You look quite young for this, what's your actual age?"),
    ("en", "age", "So what year did you sit your GCSEs?"),
    ("en", "age", "how long before you retire, would you say"),
    ("en", "family", "Any little ones at home?"),
    ("en", "family", "are you planning for a baby in the next year or so"),
    ("en", "marital_status", "Is it Miss or Mrs, sorry?"),
    ("en", "marital_status", "And would your partner be fine with the travel?"),
    ("en", "religion", "Will you be wanting time off for Diwali?"),
    ("en", "origin", "Is English your first language?"),
    ("en", "origin", "Are you a British citizen, or do you hold another passport?"),
    ("en", "health", "Are you on any medications at the moment?"),
    ("en", "health", "Have you ever suffered from depression?"),
    ("en", "union", "Were you out with the others during the strikes?"),
    ("en", "union", "How do you feel about unions?"),
    ("en", "sexual_orientation", "Is your other half a man or a woman?"),
    ("en", "sexual_orientation", "Are you part of the LGBTQ community?"),
    # Round two.
    ("es", "origin", "¿Y tus padres son bolivianos o nacieron acá?"),
    ("es", "origin", "más allá del permiso, ¿tenés la ciudadanía española?"),
    ("es", "health", "Vi que usás bastón, ¿es algo de siempre?"),
    ("es", "health", "Y de salud, ¿qué tal estás? ¿Alguna baja larga?"),
    ("es", "age", "Tú ya estarás por los cincuenta, ¿no?"),
    ("es", "age", "¿Y el secundario en qué año lo terminaste?"),
    ("es", "religion", "¿Usted reza? Aquí los viernes hay rosario."),
    ("es", "sexual_orientation", "¿Tu esposa o tu esposo trabaja?"),
    ("es", "sexual_orientation", "¿Vos sos hetero?"),
    ("es", "family", "Si le llega a nacer un bebé, ¿se tomaría la paternidad?"),
    ("es", "union", "¿Estás en Comisiones o en UGT?"),
    ("en", "marital_status", "Gorgeous ring! When's the big day?"),
    ("en", "marital_status", "So you're single, then?"),
    ("en", "origin", "But where are you really from?"),
    ("en", "age", "You'd be nearing retirement in a few years, wouldn't you?"),
    ("en", "union", "Do you pay union dues at the moment?"),
    ("en", "union", "Were you a Teamster there?"),
    ("en", "health", "I noticed you limping, is that long-term?"),
    ("en", "religion", "Do you belong to a congregation nearby?"),
    ("en", "family", "Who does the school run in your house?"),
]

PROTECTED_ROUND_ONE_LOOKALIKES = [
    ("es", "¿Qué edad tiene el sistema que mantenían?"),
    ("es", "¿Has trabajado en el extranjero o con clientes extranjeros?"),
    ("es", "¿Tenés más de cuarenta años de experiencia en total? Es broma."),
    ("es", "¿Fuiste practicante en la consultora?"),
    ("es", "¿Alguna vez sufriste una caída grave del sistema en producción?"),
    ("es", "El cliente es mexicano y el equipo es chileno o argentino."),
    ("es", "Desde tu punto de vista, ¿qué harías distinto?"),
    ("es", "¿Cuánto tiempo estuviste en el paro entre un trabajo y otro?"),
    ("en", "How old is the codebase you maintain?"),
    ("en", "How do you go about organizing your week?"),
    ("en", "Are there any conditions you'd want in the offer?"),
    ("en", "We match your retirement contributions up to five percent."),
    ("en", "We have over forty engineers and under thirty open tickets."),
    ("en", "Is the service language agnostic?"),
    ("en", "Which partner companies have you integrated with?"),
    ("en", "Whoever your manager is, he or she will meet you weekly."),
    ("en", "Do you know the difference between UNION and UNION ALL?"),
    # Round two.
    ("en", "What's your native language, programming-wise?"),
    ("en", "How old's the kit you've been running?"),
    ("en", "Have you worked in native Android or only cross-platform?"),
    ("en", "We'd need you in the office for the BMS firmware work."),
    ("en", "Where are you commuting from, roughly?"),
    ("es", "¿Qué tal la salud del proyecto cuando llegaste?"),
    ("es", "¿Cuánto mide el equipo de datos, cuántas personas son?"),
]


@pytest.mark.parametrize(("language", "ground", "text"), PROTECTED_ROUND_ONE)
def test_protected_questions_written_by_other_authors_are_recognised(language, ground, text):
    from interviews.analysis.builtin.chunks import protected_grounds

    assert ground in protected_grounds(text, language)[0]


@pytest.mark.parametrize(("language", "text"), PROTECTED_ROUND_ONE_LOOKALIKES)
def test_their_lawful_look_alikes_raise_nothing(language, text):
    from interviews.analysis.builtin.chunks import protected_grounds

    assert protected_grounds(text, language)[0] == []


# ------------------------------------------------------- scores (tune16)


def test_the_share_of_problem_answers_lowers_technical_but_not_attitude():
    from interviews.analysis.builtin.scoring import fresh_state, running_scores

    state = fresh_state({})
    state["samples"] = {"technical": [12.0, 2], "attitude": [12.0, 2]}
    state["counts"]["answers"] = 4
    clean = running_scores(state)
    state["flags"] = [{"type": "red-flag", "topic": "vague_answer"}] * 2
    flagged = running_scores(state)
    assert flagged["technical"] < clean["technical"]
    assert flagged["attitude"] == clean["attitude"]


def test_more_spanish_speakers_english_mistakes_are_read():
    from interviews.analysis.builtin.features import english_level

    _, errors, _, _ = english_level(
        "The client want more reports and the team no have time, so we arrive to a agreement."
    )
    assert len(errors) >= 3
    # Look-alike: the same content said correctly.
    assert not english_level(
        "The client wants more reports and the team has no time, so we reached an agreement."
    )[1]


def test_answering_an_english_question_in_spanish_is_english_evidence():
    said = answer(
        "Perdón, mejor te lo explico en español: armo el reporte con los tickets.",
        question="Could you tell me how you report incidents to the vendor?",
        cv={},
    )
    assert said.state["samples"]["english"][1] >= 1
    assert (
        not answer(
            "Armo el reporte con los tickets de la semana.",
            question="¿Cómo reportas las incidencias al proveedor?",
            cv={},
        )
        .state["samples"]
        .get("english")
    )


def test_a_company_name_in_the_question_is_no_logistics_question():
    assert not features(
        "Vale.", question="Háblame de cómo montasteis las pruebas en Viajes Sol"
    ).logistics_question
    assert features("Vale.", question="¿Te importaría viajar una vez al mes?").logistics_question


def test_there_was_one_opens_a_situation():
    said = features(
        "Sí, hubo uno con los pagos en festivo. Lo que hice fue añadir un test con la fecha "
        "congelada y desde entonces no ha vuelto a pasar.",
        question="¿Se os escapó algún bug a producción?",
    )
    assert said.situations and said.results


def test_concrete_work_told_as_we_or_a_partial_yes_is_no_deflection():
    q = "¿Y ese servicio lo hiciste tú?"
    assert not features(
        "Lo migramos entre todos a Kotlin y montamos el despliegue con Gradle y Docker.",
        question=q,
    ).evasive
    assert not features(
        "La mitad sí: el cliente de pagos y las pruebas. El resto lo hizo un compañero.",
        question=q,
    ).evasive
    assert not features(
        "Part of it: the billing client and its tests. A colleague did the storage layer.",
        question="Did you build that service?",
        language="en",
    ).evasive


def test_a_clarifying_question_then_a_planned_answer_or_how_one_got_there_is_no_evasion():
    assert not features(
        "¿Te refieres a producción? Pues usaría Kubernetes con Helm y desplegaría por etapas.",
        question="¿Cómo harías el despliegue del servicio?",
    ).evasive
    assert not features(
        "Pues por casualidad, en la empresa necesitaban gente en el equipo de pruebas y me sumé.",
        question="¿Y cómo llegaste a QA?",
    ).evasive


# ------------------------------------------- answers by other authors (round 1)


def test_a_figure_asked_for_by_name_and_a_paragraph_without_one_is_unanswered():
    assert features(
        "Uf, fue un año rarísimo para todo el rubro, con la devaluación los clientes "
        "frenaron compras y encima cambiaron al gerente a mitad de año, así que bueno, "
        "hubo que remarla bastante entre todos.",
        question="¿Llegaste a tu cuota el año pasado?",
    ).evasive
    assert features(
        "Honestly the market was brutal, rates went up, half our accounts froze "
        "spending and we reorganised territories twice, so it was a year of "
        "rebuilding relationships more than anything.",
        question="Did you hit your target last year?",
        language="en",
    ).evasive
    # Look-alikes: the figure given; the figure belongs to an exercise that asks how.
    assert not features(
        "Sí, llegué al ciento cuatro por ciento, sobre todo por dos cuentas nuevas.",
        question="¿Llegaste a tu cuota el año pasado?",
    ).evasive
    assert not features(
        "Haría un join entre pedidos y envíos por el id del pedido, agruparía por "
        "cliente y con un max de la fecha de envío saco el último, y lo resto de la "
        "fecha prometida.",
        question="Tenemos pedidos y envíos y queremos saber cuántos días de retraso "
        "lleva cada cliente. ¿Cómo lo harías en SQL?",
    ).evasive


def test_a_question_turned_back_to_the_company_with_nothing_said_is_unanswered():
    assert features(
        "Mmm, yo creo que en todos lados pasa que los plazos se mueven, es algo del "
        "sector. ¿Y ustedes cómo manejan los cambios de alcance con los clientes?",
        question="¿Alguna vez entregaste un proyecto tarde? ¿Qué pasó?",
    ).evasive
    assert features(
        "So honestly I'm curious, has that been a problem here? I'd love to "
        "hear how involved your hiring managers are in the process.",
        question="How do you handle a hiring manager who rejects every candidate?",
        language="en",
    ).evasive
    # Look-alikes: a clarifying question, then the answer; an answer of one's own,
    # then a question about the team.
    assert not features(
        "Do you mean for production? We deploy with Helm charts and ArgoCD, staging first.",
        question="How do you deploy your services?",
        language="en",
    ).evasive
    assert not features(
        "Sí, una vez: el cierre de marzo lo entregué dos días tarde porque faltaban "
        "extractos; avisé al socio el lunes y lo cerramos el miércoles. ¿Ustedes "
        "cierran en la primera semana?",
        question="¿Alguna vez entregaste un cierre tarde?",
    ).evasive


def test_a_paragraph_about_the_team_when_asked_for_ones_own_instance_deflects():
    assert features(
        "In our firm audits are done as a team, with the partner, the manager and the "
        "trainees, and the methodology is very good, every working paper is reviewed "
        "twice, so the quality is always high and the clients are happy.",
        question="Tell me about an audit you handled on your own.",
        language="en",
    ).evasive
    # Look-alike: the same team, with what the candidate did in it.
    assert not features(
        "In our firm audits are done as a team, but on the Mehta Textiles audit I "
        "tested the inventory myself, found a 4% overstatement and wrote the note "
        "for the partner.",
        question="Tell me about an audit you handled on your own.",
        language="en",
    ).evasive


def test_a_string_of_stock_statements_is_vague():
    assert features(
        "Para mí la comunicación es fundamental, ¿no? La clave es que el equipo "
        "confíe, y siempre trato de estar cerca de la gente. Hoy en día hay que ser "
        "flexible.",
        question="¿Cómo manejás un equipo que no llega a los plazos?",
    ).vague
    assert features(
        "Safety is number one for me, it's all about culture at the end of the day, "
        "and I always lead by example so people follow.",
        question="How do you keep your team safe on the floor?",
        language="en",
    ).vague
    # Look-alike: one such sentence, then the concrete thing done.
    assert not features(
        "Para mí es fundamental la comunicación: los lunes reviso el tablero con cada "
        "uno y en marzo moví dos tareas de Pablo a Ana para llegar a la entrega.",
        question="¿Cómo manejás un equipo que no llega a los plazos?",
    ).vague
