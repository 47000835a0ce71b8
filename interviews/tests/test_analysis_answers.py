"""One model call per answer: when an answer is complete, what the model is given,
and what the interviewer's own turns cost (no model call)."""

from __future__ import annotations

import time

import pytest

from interviews.analysis.runner import analyze_interview, interview_pass
from interviews.live.ingest import transcript_ingest
from interviews.models import AIInsight, Transcript
from interviews.services import interview_set_roles, interview_transition
from interviews.tests.analysis_support import CountingProvider
from interviews.tests.deepgram_messages import results

QUESTION = "¿Cómo escalaste la API de pagos?"
PARTS = ["Primero medimos el p99 con Prometheus.", "Luego movimos las colas a Redis."]


@pytest.fixture
def roles_set(live_interview):
    interview_set_roles(interview=live_interview, host="speaker_1", guest="speaker_0")
    return live_interview


def say(interview, text, start, speaker=0, speech_final=False):
    transcript_ingest(
        interview=interview,
        results=results(text, start=start, speaker=speaker, speech_final=speech_final),
    )


def test_consecutive_finals_of_the_candidate_are_one_answer_analysed_in_one_call(roles_set):
    say(roles_set, QUESTION, 0.0, speaker=1, speech_final=True)
    say(roles_set, PARTS[0], 3.0)
    say(roles_set, PARTS[1], 6.0)
    provider = CountingProvider()
    # The answer is still going: only the question is done, by the built-in rules.
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1
    assert provider.seen == []
    # The interviewer speaks again: the answer is complete.
    say(roles_set, "¿Y la base de datos?", 9.0, speaker=1)
    assert analyze_interview(roles_set.pk, providers=[provider]) == 3
    (context,) = provider.contexts
    assert context.chunk.text == " ".join(PARTS)
    assert context.question == QUESTION
    assert Transcript.objects.pending_analysis().count() == 0
    (insight,) = AIInsight.objects.filter(interview=roles_set)
    # The insight points at the chunk it quotes.
    second = Transcript.objects.get(text=PARTS[1])
    assert insight.evidence == " ".join(PARTS)
    assert insight.transcript_id in {second.pk, Transcript.objects.get(text=PARTS[0]).pk}


def test_speech_final_ends_the_answer(roles_set):
    say(roles_set, QUESTION, 0.0, speaker=1, speech_final=True)
    say(roles_set, PARTS[0], 3.0)
    say(roles_set, PARTS[1], 6.0, speech_final=True)
    provider = CountingProvider()
    assert analyze_interview(roles_set.pk, providers=[provider]) == 3
    assert [c.chunk.text for c in provider.contexts] == [" ".join(PARTS)]


def test_an_utterance_end_ends_the_answer(roles_set):
    say(roles_set, QUESTION, 0.0, speaker=1, speech_final=True)
    say(roles_set, PARTS[0], 3.0)
    provider = CountingProvider()
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1
    transcript_ingest(
        interview=roles_set, results={"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": 4}
    )
    assert Transcript.objects.get(text=PARTS[0]).speech_final
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1
    assert [c.chunk.text for c in provider.contexts] == [PARTS[0]]


def test_a_quiet_gap_ends_the_answer(roles_set, settings):
    settings.ANALYSIS_ANSWER_GAP_SECONDS = 0.3
    say(roles_set, PARTS[0], 3.0)
    provider = CountingProvider()
    first = interview_pass(roles_set.pk, providers=[provider])
    assert first.committed == 0
    assert 0 < first.retry_in <= 0.3  # the runner comes back when the gap may be over
    time.sleep(0.35)
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1
    assert len(provider.contexts) == 1


def test_a_long_answer_gets_a_provisional_analysis_at_most_every_few_seconds(roles_set, settings):
    settings.ANALYSIS_ANSWER_GAP_SECONDS = 30
    settings.ANALYSIS_PROVISIONAL_SECONDS = 0.4
    provider = CountingProvider()
    say(roles_set, QUESTION, 0.0, speaker=1, speech_final=True)
    say(roles_set, PARTS[0], 3.0)
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1  # the question
    time.sleep(0.45)
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1  # provisional
    say(roles_set, PARTS[1], 6.0)
    # Not again so soon, although the answer goes on.
    assert analyze_interview(roles_set.pk, providers=[provider]) == 0
    time.sleep(0.45)
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1
    # Each part once; the later part still knows the question it answers.
    assert [c.chunk.text for c in provider.contexts] == PARTS
    assert [c.question for c in provider.contexts] == [QUESTION, QUESTION]


def test_the_interviewers_turns_never_reach_the_model_but_protected_questions_are_noted(
    roles_set,
):
    say(roles_set, "¿Estás casada o tienes hijos?", 0.0, speaker=1, speech_final=True)
    say(roles_set, "Prefiero no contestar a eso.", 3.0, speech_final=True)
    provider = CountingProvider()
    assert analyze_interview(roles_set.pk, providers=[provider]) == 2
    assert [c.chunk.role for c in provider.contexts] == ["guest"]
    protected = AIInsight.objects.get(topic="protected_question")
    assert protected.transcript.speaker == "speaker_1"
    assert protected.severity == "critical"


def test_with_the_built_in_provider_the_host_turn_keeps_the_open_question(roles_set):
    from interviews.analysis.builtin import BuiltinProvider

    say(roles_set, QUESTION, 0.0, speaker=1, speech_final=True)
    assert analyze_interview(roles_set.pk, providers=[BuiltinProvider()]) == 1
    roles_set.refresh_from_db()
    question = Transcript.objects.get(text=QUESTION)
    assert roles_set.analysis_state["open_question"]["transcript_id"] == question.pk


def test_a_finished_interview_analyses_its_last_answer_without_waiting(roles_set, settings):
    settings.ANALYSIS_ANSWER_GAP_SECONDS = 30
    say(roles_set, PARTS[0], 3.0)
    provider = CountingProvider()
    assert analyze_interview(roles_set.pk, providers=[provider]) == 0
    interview_transition(interview=roles_set, to="completed")
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1


def test_the_live_page_hears_how_many_answers_analysis_is_behind(roles_set, settings):
    from interviews.models import InterviewEvent

    settings.ANALYSIS_BEHIND_AT = 2
    for n in range(3):
        say(roles_set, f"¿Pregunta {n}?", n * 10.0, speaker=1, speech_final=True)
        say(roles_set, f"Respuesta {n}.", n * 10.0 + 5, speech_final=True)
    analyze_interview(roles_set.pk, providers=[CountingProvider()])
    behind = [
        e.data["analysis_behind"]
        for e in InterviewEvent.objects.filter(interview=roles_set, type="interview").order_by(
            "seq"
        )
        if "analysis_behind" in e.data
    ]
    assert behind == [2, 0, 0]  # one answer waiting is not worth a word


def test_the_candidate_still_speaking_keeps_the_answer_open_past_the_gap(roles_set, settings):
    settings.ANALYSIS_ANSWER_GAP_SECONDS = 0.2
    say(roles_set, PARTS[0], 3.0)
    transcript_ingest(
        interview=roles_set, results=results("Luego movimos", start=6.0, is_final=False)
    )
    time.sleep(0.25)
    provider = CountingProvider()
    assert analyze_interview(roles_set.pk, providers=[provider]) == 0
    say(roles_set, PARTS[1], 6.0, speech_final=True)
    assert analyze_interview(roles_set.pk, providers=[provider]) == 2
    assert [c.chunk.text for c in provider.contexts] == [" ".join(PARTS)]


def test_the_interviewer_starting_to_speak_ends_the_answer(roles_set, settings):
    settings.ANALYSIS_ANSWER_GAP_SECONDS = 30
    say(roles_set, PARTS[0], 3.0)
    transcript_ingest(
        interview=roles_set, results=results("¿Y", start=6.0, is_final=False, speaker=1)
    )
    provider = CountingProvider()
    assert analyze_interview(roles_set.pk, providers=[provider]) == 1
    assert [c.chunk.text for c in provider.contexts] == [PARTS[0]]


def test_a_saturated_runner_leaves_a_long_answer_for_when_it_is_complete(roles_set, settings):
    settings.ANALYSIS_ANSWER_GAP_SECONDS = 30
    settings.ANALYSIS_PROVISIONAL_SECONDS = 0.2
    say(roles_set, PARTS[0], 3.0)
    provider = CountingProvider()
    assert interview_pass(roles_set.pk, providers=[provider]).committed == 0
    time.sleep(0.25)
    busy = interview_pass(roles_set.pk, providers=[provider], provisional=False)
    assert busy.committed == 0 and busy.retry_in > 20  # back when the gap may be over
    assert provider.contexts == []
    # With a model slot free, the same answer gets its provisional analysis.
    assert interview_pass(roles_set.pk, providers=[provider]).committed == 1
