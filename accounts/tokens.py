"""API tokens as text: their shape and their hash (what is stored and looked up).

Below the selectors and services that use it; imports nothing of the project."""

from __future__ import annotations

import hashlib

TOKEN_PREFIX = "ic_"
TOKEN_BODY_LENGTH = 40


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_api_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and len(value) == len(TOKEN_PREFIX) + TOKEN_BODY_LENGTH
