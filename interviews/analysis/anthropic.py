"""Analysis by Anthropic's messages API. Prompts and answer reading are shared in
`llm.py`."""

from __future__ import annotations

import anthropic
from django.conf import settings

from interviews.analysis.base import InvalidOutput, ProviderError
from interviews.analysis.llm import LLMProvider, client_for_this_loop


class AnthropicProvider(LLMProvider):
    name = "anthropic"

    async def complete(self, *, system: str, user: str, max_tokens: int) -> str:
        if not settings.ANTHROPIC_API_KEY:
            # Per call, so a missing key fails over instead of stopping the chain.
            raise ProviderError("ANTHROPIC_API_KEY is not set")
        # One client per event loop; the chain retries and fails over, so the
        # SDK's own retries are off.
        client = client_for_this_loop(
            (
                "anthropic",
                settings.ANTHROPIC_API_KEY,
                settings.ANTHROPIC_BASE_URL,
                settings.AI_TIMEOUT_SECONDS,
            ),
            lambda: anthropic.AsyncAnthropic(
                api_key=settings.ANTHROPIC_API_KEY,
                base_url=settings.ANTHROPIC_BASE_URL or None,
                timeout=settings.AI_TIMEOUT_SECONDS,
                max_retries=0,
            ),
        )
        try:
            message = await client.messages.create(
                model=settings.ANTHROPIC_MODEL,
                max_tokens=max_tokens,
                system=system,
                messages=[{"role": "user", "content": user}],
            )
        except anthropic.APITimeoutError as exc:
            raise ProviderError(
                f"no answer within {settings.AI_TIMEOUT_SECONDS} s from {self.name}"
            ) from exc
        except anthropic.AnthropicError as exc:
            raise ProviderError(f"{exc.__class__.__name__}: {exc}") from exc
        if message.stop_reason == "max_tokens":
            raise InvalidOutput("the answer was cut short (stop_reason=max_tokens)")
        return "".join(
            block.text for block in message.content if getattr(block, "type", "") == "text"
        )
