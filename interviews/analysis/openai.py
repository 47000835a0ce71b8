"""Analysis by any OpenAI-compatible chat completions endpoint: OpenAI itself, or a
local Ollama / vLLM / llama.cpp server (or Moonshot, Cerebras...) via
`OPENAI_BASE_URL`. Prompts and answer reading are shared in `llm.py`."""

from __future__ import annotations

import openai
from django.conf import settings

from interviews.analysis.base import InvalidOutput, ProviderError
from interviews.analysis.llm import LLMProvider, client_for_this_loop


class OpenAIProvider(LLMProvider):
    name = "openai"

    async def complete(self, *, system: str, user: str, max_tokens: int) -> str:
        if not settings.OPENAI_API_KEY:
            # Checked per call, not at construction: the chain builds every
            # configured provider on each pass, and a missing key must fail over,
            # not stop the others.
            raise ProviderError("OPENAI_API_KEY is not set")
        # The chain does the retrying (and failing over), so the SDK's own is off.
        client = client_for_this_loop(
            (
                "openai",
                settings.OPENAI_API_KEY,
                settings.OPENAI_BASE_URL,
                settings.AI_TIMEOUT_SECONDS,
            ),
            lambda: openai.AsyncOpenAI(
                api_key=settings.OPENAI_API_KEY,
                base_url=settings.OPENAI_BASE_URL or None,
                timeout=settings.AI_TIMEOUT_SECONDS,
                max_retries=0,
            ),
        )
        try:
            response = await client.chat.completions.create(
                model=settings.OPENAI_MODEL,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
                # JSON mode: supported by OpenAI and the compatible servers
                # (Ollama, vLLM, llama.cpp); the prompt also asks for JSON only.
                response_format={"type": "json_object"},
            )
        except openai.APITimeoutError as exc:
            raise ProviderError(
                f"no answer within {settings.AI_TIMEOUT_SECONDS} s from {self.name}"
            ) from exc
        except openai.OpenAIError as exc:
            raise ProviderError(f"{exc.__class__.__name__}: {exc}") from exc
        if not response.choices:
            raise InvalidOutput("the answer has no choices")
        choice = response.choices[0]
        if choice.finish_reason == "length":
            raise InvalidOutput("the answer was cut short (finish_reason=length)")
        return choice.message.content or ""
