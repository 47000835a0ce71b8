"""The ordered failover list of providers (`AI_PROVIDERS`).

Each call goes to the first provider; output that fails validation is retried
once, then the next provider is tried, as is any error or timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from django.conf import settings

from interviews.analysis.base import AnalysisProvider, InvalidOutput, ProviderError
from interviews.analysis.llm import PROMPT_VERSION

logger = logging.getLogger(__name__)
T = TypeVar("T")


class AllProvidersFailed(ProviderError):
    pass


def build_provider(name: str) -> AnalysisProvider:
    # Imported when named (not for a cycle): the OpenAI and Anthropic SDKs are slow
    # to import and most deployments configure one provider.
    if name == "builtin":
        from interviews.analysis.builtin import BuiltinProvider

        return BuiltinProvider()
    if name == "openai":
        from interviews.analysis.openai import OpenAIProvider

        return OpenAIProvider()
    if name == "anthropic":
        from interviews.analysis.anthropic import AnthropicProvider

        return AnthropicProvider()
    raise ProviderError(f"Unknown AI provider {name!r}")


# What the built-in provider follows instead of a prompt: its rules files
# (analysis/builtin/rules/*.toml), versioned with the code.
BUILTIN_RULES_VERSION = "rules-v1"


def provider_model(name: str) -> tuple[str, str]:
    """(model, prompt version) a provider used, as the scorecard and the audit log
    keep them: settings change later, the record of what assessed a candidate
    must not."""
    if name == "openai":
        return settings.OPENAI_MODEL, PROMPT_VERSION
    if name == "anthropic":
        return settings.ANTHROPIC_MODEL, PROMPT_VERSION
    if name == "builtin":
        return "builtin", BUILTIN_RULES_VERSION
    return "", ""


def configured_providers() -> list[AnalysisProvider]:
    return [build_provider(name) for name in settings.AI_PROVIDERS]


async def call_with_failover(
    call: Callable[[AnalysisProvider], Awaitable[T]],
    validate: Callable[[T], T],
    providers: list[AnalysisProvider] | None = None,
) -> tuple[T, str]:
    """Run `call` on each provider in turn; return (validated result, provider name)."""
    providers = providers if providers is not None else configured_providers()
    errors: list[str] = []
    for provider in providers:
        for attempt in (1, 2):
            try:
                result = await asyncio.wait_for(call(provider), settings.AI_TIMEOUT_SECONDS)
                return validate(result), provider.name
            except InvalidOutput as exc:
                errors.append(f"{provider.name} (attempt {attempt}): invalid output: {exc}")
                logger.warning("AI provider %s gave invalid output: %s", provider.name, exc)
                continue  # retried once, then the next provider
            except (TimeoutError, ProviderError) as exc:
                errors.append(f"{provider.name}: {exc.__class__.__name__}: {exc}")
                logger.warning("AI provider %s failed: %r", provider.name, exc)
                break
    raise AllProvidersFailed("; ".join(errors) or "no AI provider configured")
