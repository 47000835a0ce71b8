"""The OpenAI-compatible and Anthropic providers, through their official SDKs,
against a stand-in HTTP server on 127.0.0.1 that answers in each API's documented
format (`/v1/chat/completions` -> `choices[0].message.content`; `/v1/messages` ->
`content[0].text`, `stop_reason`, `usage`)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from interviews.analysis.anthropic import AnthropicProvider
from interviews.analysis.base import (
    ChunkAnalysis,
    ChunkContext,
    InsightDraft,
    InvalidOutput,
    ProviderError,
    ScorecardContext,
    Utterance,
)
from interviews.analysis.chain import AllProvidersFailed, call_with_failover
from interviews.analysis.llm import PROMPT_VERSION, load_prompt
from interviews.analysis.openai import OpenAIProvider
from interviews.analysis.validation import (
    validate_chunk_analysis,
    validate_roles,
    validate_scorecard,
)

# --- The stand-in server ------------------------------------------------------


@dataclass
class Reply:
    text: str = ""
    delay: float = 0.0  # seconds before answering (a slow model)
    status: int = 200  # an HTTP error instead of an answer
    stop: str | None = None  # finish_reason / stop_reason; the API's normal one if None


@dataclass
class Request:
    api: str
    path: str
    headers: dict[str, str]
    body: dict

    @property
    def prompt(self) -> str:
        """Everything the model was told, system prompt and messages."""
        parts = [self.body.get("system") or ""]
        parts += [m["content"] for m in self.body.get("messages", [])]
        return "\n".join(p if isinstance(p, str) else json.dumps(p) for p in parts)


class ModelStandIn:
    """Scripted replies per API; once a script runs out, `default(request)` answers."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.scripts: dict[str, deque[Reply]] = {"openai": deque(), "anthropic": deque()}
        self.default: dict[str, Callable[[Request], Reply] | None] = {
            "openai": None,
            "anthropic": None,
        }
        self.released = threading.Event()  # lets a slow reply end at teardown
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def script(self, api: str, *replies: Reply) -> None:
        self.scripts[api].extend(replies)

    def calls(self, api: str) -> list[Request]:
        return [r for r in self.requests if r.api == api]

    def _reply_for(self, request: Request) -> Reply:
        if self.scripts[request.api]:
            return self.scripts[request.api].popleft()
        if self.default[request.api] is not None:
            return self.default[request.api](request)
        return Reply(status=500, text="no scripted reply")

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                api = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}.get(self.path)
                if api is None:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                request = Request(
                    api, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                standin.requests.append(request)
                try:
                    reply = standin._reply_for(request)
                except Exception as exc:  # a broken script shows as a 500, not a hang
                    reply = Reply(status=500, text=f"stand-in script failed: {exc!r}")
                if reply.delay and standin.released.wait(reply.delay):
                    return
                if reply.status != 200:
                    self._send(reply.status, _error_body(api, reply.status, reply.text))
                    return
                self._send(200, _answer_body(api, body, reply))

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        return Handler

    def __enter__(self) -> ModelStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def _answer_body(api: str, request: dict, reply: Reply) -> dict:
    if api == "openai":
        return {
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": reply.stop or "stop",
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }
    return {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "model": request.get("model"),
        "content": [{"type": "text", "text": reply.text}],
        "stop_reason": reply.stop or "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 50},
    }


def _error_body(api: str, status: int, message: str) -> dict:
    if api == "openai":
        return {"error": {"message": message, "type": "server_error", "code": None}}
    return {"type": "error", "error": {"type": "api_error", "message": message}}


@pytest.fixture
def standin(settings):
    with ModelStandIn() as server:
        settings.OPENAI_API_KEY = "sk-test-openai"
        settings.OPENAI_BASE_URL = f"http://127.0.0.1:{server.port}/v1"
        settings.OPENAI_MODEL = "gpt-test-mini"
        settings.ANTHROPIC_API_KEY = "sk-ant-test"
        settings.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{server.port}"
        settings.ANTHROPIC_MODEL = "claude-test"
        settings.AI_TIMEOUT_SECONDS = 5
        yield server


# --- What the providers are asked ---------------------------------------------

REQUIREMENTS = {
    "technical_skills": ["Python", "Django", "PostgreSQL"],
    "experience": "3+ years",
    "english_level": "B2",
    "nice_to_have": ["Kubernetes"],
}
CV = {
    "basics": {"name": "Lucía Fernández"},
    "skills": [{"name": "Django", "key": "django"}, {"name": "Celery", "key": "celery"}],
    "years_of_experience": 6,
}
ANSWER = "Llevo cuatro años con Django y migré la facturación a PostgreSQL."
QUESTION = "¿Cuánta experiencia tienes con Django?"


def chunk_context(language: str = "es") -> ChunkContext:
    return ChunkContext(
        interview_id=1,
        language=language,
        chunk=Utterance(transcript_id=42, speaker="speaker_1", role="guest", text=ANSWER),
        question=QUESTION,
        requirements=REQUIREMENTS,
        cv_data=CV,
        state={"scores": {"communication": 6}, "flags": ["earlier-flag-marker"]},
    )


def chunk_answer(**insight) -> str:
    return json.dumps(
        {
            "insights": [
                {
                    "type": "green-flag",
                    "severity": "success",
                    "content": "Experiencia concreta con Django y PostgreSQL.",
                    "suggestion": None,
                    "topic": "Django",
                    "evidence": "cuatro años con Django",
                    "response_quality": 8,
                    "sentiment": "positive",
                    **insight,
                }
            ],
            "state": {
                "scores": {"technical": 8},
                "requirements_covered": ["Django", "PostgreSQL"],
                "flags": ["earlier-flag-marker", "django-experience"],
            },
        },
        ensure_ascii=False,
    )


async def analyze(providers, context: ChunkContext | None = None):
    context = context or chunk_context()
    sources = [context.chunk.text, context.question or ""]
    return await call_with_failover(
        lambda p: p.analyze_chunk(context),
        lambda a: validate_chunk_analysis(a, sources),
        providers,
    )


class FakeBuiltin:
    """Stands in for the offline provider where the real one is not needed."""

    name = "builtin"

    async def analyze_chunk(self, context):
        return ChunkAnalysis(
            insights=[InsightDraft(type="note", severity="info", content="Respuesta anotada.")],
            state={**context.state},
        )


# --- Tests ----------------------------------------------------------------------


def test_the_prompts_are_versioned_files_with_a_system_and_a_user_part():
    for name in ("chunk", "roles", "scorecard"):
        prompt = load_prompt(name)
        assert prompt.version == PROMPT_VERSION
        assert "JSON" in prompt.system.template


async def test_openai_is_asked_through_chat_completions_with_the_whole_context(standin):
    standin.script("openai", Reply(chunk_answer()))

    analysis, provider = await analyze([OpenAIProvider()])

    assert provider == "openai"
    assert [(i.type, i.evidence, i.response_quality) for i in analysis.insights] == [
        ("green-flag", "cuatro años con Django", 8)
    ]
    # Scores the chunk did not touch survive; the ones it updated change.
    assert analysis.state["scores"] == {"communication": 6, "technical": 8}
    (request,) = standin.calls("openai")
    assert request.headers["authorization"] == "Bearer sk-test-openai"
    assert request.body["model"] == "gpt-test-mini"
    assert request.body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
    user = request.body["messages"][1]["content"]
    assert "Kubernetes" in user  # the position's requirements
    assert "Celery" in user and "Lucía Fernández" in user  # the candidate's CV
    assert "earlier-flag-marker" in user  # the running state
    assert QUESTION in user and ANSWER in user
    assert "Spanish" in request.body["messages"][0]["content"]
    assert "protected_question" in request.body["messages"][0]["content"]


async def test_anthropic_is_asked_through_the_messages_api_with_the_whole_context(standin):
    standin.script("anthropic", Reply(chunk_answer()))

    analysis, provider = await analyze([AnthropicProvider()], chunk_context(language="en"))

    assert provider == "anthropic"
    assert analysis.insights[0].topic == "Django"
    (request,) = standin.calls("anthropic")
    # The SDK authenticates with the key (as x-api-key or a bearer, by version).
    assert "sk-ant-test" in (
        request.headers.get("x-api-key", ""),
        request.headers.get("authorization", "").removeprefix("Bearer "),
    )
    assert request.headers["anthropic-version"]
    assert request.body["model"] == "claude-test"
    assert request.body["max_tokens"] > 0
    assert "English" in request.body["system"]
    (message,) = request.body["messages"]
    assert message["role"] == "user"
    assert "Kubernetes" in message["content"] and "Celery" in message["content"]
    assert "earlier-flag-marker" in message["content"]


async def test_an_answer_wrapped_in_a_code_fence_is_still_read(standin):
    standin.script("openai", Reply(f"```json\n{chunk_answer()}\n```"))
    analysis, provider = await analyze([OpenAIProvider()])
    assert provider == "openai" and len(analysis.insights) == 1


async def test_malformed_json_is_retried_once_then_the_next_provider_answers(standin):
    standin.script("openai", Reply('{"insights": [ oops'), Reply("Claro, aquí tienes:"))
    standin.script("anthropic", Reply(chunk_answer()))

    _, provider = await analyze([OpenAIProvider(), AnthropicProvider()])

    assert provider == "anthropic"
    assert len(standin.calls("openai")) == 2
    assert len(standin.calls("anthropic")) == 1


async def test_an_out_of_range_value_is_refused_and_the_retry_is_used(standin):
    standin.script("openai", Reply(chunk_answer(response_quality=14)), Reply(chunk_answer()))

    analysis, provider = await analyze([OpenAIProvider(), AnthropicProvider()])

    assert provider == "openai"
    assert analysis.insights[0].response_quality == 8
    assert len(standin.calls("openai")) == 2
    assert standin.calls("anthropic") == []


@pytest.mark.parametrize(
    "bad",
    [
        chunk_answer(type="amazing"),
        chunk_answer(evidence="palabras que nadie dijo"),
        json.dumps({"insights": "none", "state": {}}),
        json.dumps({"insights": [], "state": {"scores": {"technical": 0}}}),
        json.dumps({"insights": [{"type": "note"}], "state": {}}),
        json.dumps(["not", "an", "object"]),
    ],
)
async def test_wrong_shapes_and_values_are_invalid_output(standin, bad):
    standin.script("anthropic", Reply(bad), Reply(bad))
    with pytest.raises(AllProvidersFailed, match="invalid output"):
        await analyze([AnthropicProvider()])
    assert len(standin.calls("anthropic")) == 2


async def test_an_answer_cut_short_is_invalid_output(standin):
    standin.script("openai", Reply(chunk_answer()[:40], stop="length"))
    standin.script("anthropic", Reply(chunk_answer()[:40], stop="max_tokens"))
    with pytest.raises(InvalidOutput, match="cut short"):
        await OpenAIProvider().analyze_chunk(chunk_context())
    with pytest.raises(InvalidOutput, match="cut short"):
        await AnthropicProvider().analyze_chunk(chunk_context())


async def test_a_model_slower_than_the_timeout_fails_over(standin, settings):
    settings.AI_TIMEOUT_SECONDS = 0.5
    standin.script("openai", Reply(chunk_answer(), delay=10))
    standin.script("anthropic", Reply(chunk_answer()))

    started = time.monotonic()
    _, provider = await analyze([OpenAIProvider(), AnthropicProvider()])

    assert provider == "anthropic"
    assert time.monotonic() - started < 5
    # A timeout is not retried on the same provider: it moves on at once.
    assert len(standin.calls("openai")) == 1


async def test_http_errors_and_a_missing_key_are_provider_errors(standin, settings):
    standin.script("openai", Reply(status=503, text="overloaded"))
    with pytest.raises(ProviderError, match=r"503|InternalServer|ServiceUnavailable"):
        await OpenAIProvider().analyze_chunk(chunk_context())
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        await AnthropicProvider().analyze_chunk(chunk_context())
    assert standin.calls("anthropic") == []


async def test_nothing_listening_is_a_provider_error(settings):
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # discard port: refused
    with pytest.raises(ProviderError, match="Connection"):
        await OpenAIProvider().analyze_chunk(chunk_context())


async def test_openai_times_out_anthropic_fails_twice_and_builtin_answers(standin, settings):
    settings.AI_TIMEOUT_SECONDS = 0.5
    try:
        from interviews.analysis.builtin import BuiltinProvider

        builtin = BuiltinProvider()
    except ImportError:  # the offline provider is written elsewhere
        builtin = FakeBuiltin()
    standin.script("openai", Reply(chunk_answer(), delay=10))
    standin.script("anthropic", Reply("no json"), Reply(chunk_answer(severity="extreme")))

    analysis, provider = await analyze([OpenAIProvider(), AnthropicProvider(), builtin])

    assert provider == "builtin"
    assert len(standin.calls("openai")) == 1
    assert len(standin.calls("anthropic")) == 2
    assert isinstance(analysis, ChunkAnalysis)


async def test_role_detection_asks_the_model_and_reads_its_answer(standin):
    utterances = [
        Utterance(1, "speaker_0", None, "Hola, gracias por recibirme."),
        Utterance(2, "speaker_1", None, "Bienvenida. ¿Qué experiencia tienes con Django?"),
        Utterance(3, "speaker_0", None, "Cuatro años en una fintech."),
    ]
    speakers = {"speaker_0", "speaker_1"}
    standin.script(
        "openai",
        Reply(json.dumps({"host": "speaker_7", "guest": "speaker_0", "confidence": 90})),
        Reply(json.dumps({"host": "speaker_1", "guest": "speaker_0", "confidence": 85})),
    )

    guess, provider = await call_with_failover(
        lambda p: p.detect_roles(utterances, "es"),
        lambda g: validate_roles(g, speakers),
        [OpenAIProvider()],
    )

    assert (guess.host, guess.guest, guess.confidence, provider) == (
        "speaker_1",
        "speaker_0",
        85,
        "openai",
    )
    assert "¿Qué experiencia tienes con Django?" in standin.calls("openai")[0].prompt


async def test_the_scorecard_quotes_must_stand_verbatim_in_their_row(standin):
    rows = [
        Utterance(10, "speaker_1", "host", QUESTION),
        Utterance(11, "speaker_0", "guest", ANSWER),
    ]
    context = ScorecardContext(
        interview_id=1,
        language="es",
        utterances=rows,
        insights=[{"type": "green-flag", "content": "Django"}],
        state={"scores": {"technical": 8}},
        requirements=REQUIREMENTS,
        cv_data=CV,
        candidate_name="Lucía Fernández",
    )

    def scorecard(quote: str) -> str:
        return json.dumps(
            {
                "scores": {"technical": 8, "communication": 7, "english": None},
                "recommendation": "hire",
                "justification": "Experiencia sólida.",
                "strengths": [{"text": "Django", "quote": quote, "transcript_id": 11}],
                "weaknesses": [],
                "summary": "Buena candidata.",
            },
            ensure_ascii=False,
        )

    standin.script(
        "anthropic",
        Reply(scorecard("cinco años con Django")),
        Reply(scorecard("migré la facturación a PostgreSQL")),
    )

    draft, provider = await call_with_failover(
        lambda p: p.generate_scorecard(context),
        lambda d: validate_scorecard(d, rows),
        [AnthropicProvider()],
    )

    assert provider == "anthropic"
    assert draft.verdict == "hire"
    assert draft.scores["english"] is None and draft.scores["technical"] == 8
    assert draft.strengths[0].quote == "migré la facturación a PostgreSQL"
    prompt = standin.calls("anthropic")[0].prompt
    assert "[11] guest (speaker_0): " + ANSWER in prompt
    assert "Lucía Fernández" in prompt and "Kubernetes" in prompt


# --- Through the analysis runner ----------------------------------------------


def answer_like_a_model(request: Request) -> Reply:
    """A model that does each task right, reading the chunk out of the prompt."""
    prompt = request.prompt
    if "Speakers: speaker_" in prompt:
        # speaker_1 asks the questions: never assume speaker_0 is the host.
        return Reply(json.dumps({"host": "speaker_1", "guest": "speaker_0", "confidence": 88}))
    marker = "The NEW chunk ("
    rest = prompt[prompt.index(marker) + len(marker) :]
    role, text = rest.split(",", 1)[0], rest.split("\n", 1)[1].strip()
    insights = []
    if role == "guest":
        insights = [
            {
                "type": "green-flag",
                "severity": "success",
                "content": "Cuantifica su experiencia.",
                "topic": "Django",
                "evidence": text.split()[0] + " " + text.split()[1],
                "response_quality": 8,
                "sentiment": "positive",
            }
        ]
    return Reply(
        json.dumps(
            {"insights": insights, "state": {"scores": {"technical": 7}}}, ensure_ascii=False
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("openai_up, expected", [(False, "anthropic"), (True, "openai")])
def test_the_runner_records_the_provider_that_produced_the_analysis(
    standin, settings, live_interview, openai_up, expected
):
    from interviews.analysis.runner import analyze_pending
    from interviews.live.ingest import transcript_ingest
    from interviews.models import AIInsight, Interview
    from interviews.tests.deepgram_messages import results

    settings.AI_PROVIDERS = ["openai", "anthropic"]
    standin.default["anthropic"] = answer_like_a_model
    if openai_up:
        standin.default["openai"] = answer_like_a_model
    else:
        standin.default["openai"] = lambda request: Reply(status=500, text="down")
    transcript_ingest(
        interview=live_interview,
        results=[
            results(QUESTION, start=0.0, speaker=1),
            results(ANSWER, start=3.0, speaker=0),
        ],
    )

    analyze_pending(live_interview.pk)

    interview = Interview.objects.get(pk=live_interview.pk)
    assert interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert interview.ai_provider == expected
    assert interview.analysis_state["scores"] == {"technical": 7}
    (insight,) = AIInsight.objects.filter(interview=interview)
    assert insight.type == "green-flag" and insight.evidence == "Llevo cuatro"
    # The context the runner built reached the model: requirements, CV, the question.
    # Only the answer: the question was checked by the built-in rules, no model call.
    chunk_calls = [r for r in standin.calls(expected) if "The NEW chunk" in r.prompt]
    assert len(chunk_calls) == 1
    guest_call = chunk_calls[0].prompt
    assert "PostgreSQL" in guest_call and "Django" in guest_call
    assert QUESTION in guest_call
    assert interview.candidate.name in guest_call or "years_of_experience" in guest_call
    if not openai_up:
        assert len(standin.calls("openai")) == 2  # roles, and the answer: tried first
