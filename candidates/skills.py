"""One key per skill, whatever the spelling: "ReactJS", "react.js" and "React" share one.

The key is what skill search matches, so it is computed the same way in Python for
every database (no SQL-specific accent or case folding).
"""

from __future__ import annotations

import re
import unicodedata

# Spellings that the folding below cannot unify on its own.
ALIASES = {
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "golang": "go",
    "k8s": "kubernetes",
    "postgres": "postgresql",
    "psql": "postgresql",
    "pg": "postgresql",
    "c#": "csharp",
    "c sharp": "csharp",
    "c++": "cpp",
    "f#": "fsharp",
    ".net": "dotnet",
    "net": "dotnet",
    "vue": "vue",
    "node": "node",
    "nodejs": "node",
    "mongo": "mongodb",
    "aws": "aws",
    "amazon web services": "aws",
    "gcp": "gcp",
    "google cloud": "gcp",
    "google cloud platform": "gcp",
    "ml": "machine learning",
    "ia": "inteligencia artificial",
    "tdd": "tdd",
    "ci/cd": "cicd",
    "ci cd": "cicd",
}

# "|" separates keys in `skill_keys`, so it can never survive inside a key.
_SEPARATORS = re.compile(r"[\s_\-/|]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def skill_key(name: str) -> str:
    """Normalise a skill name to its search key ("" for nothing usable)."""
    text = strip_accents(str(name)).casefold().replace("|", " ").strip()
    if not text:
        return ""
    if text in ALIASES:
        return ALIASES[text]
    text = _SEPARATORS.sub(" ", text).strip()
    if text in ALIASES:
        return ALIASES[text]
    # "react.js", "reactjs", "react js" -> "react"; "next.js" -> "next".
    for suffix in (".js", " js", "js"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)].strip()
            break
    text = text.rstrip(".")
    return ALIASES.get(text, text)


def skill_keys_text(cv_data: dict | None) -> str:
    """The `|key|key|` text stored beside cv_data so search is one indexed LIKE."""
    if not isinstance(cv_data, dict):
        return ""
    keys: list[str] = []
    for skill in cv_data.get("skills") or []:
        if isinstance(skill, dict):
            # A key in cv_data may have been written by hand: normalise it again.
            key = skill_key(skill.get("key") or skill.get("name", ""))
        else:
            key = skill_key(str(skill))
        if key and key not in keys:
            keys.append(key)
    return "|" + "|".join(keys) + "|" if keys else ""


def fold(text: str) -> str:
    """Case- and accent-free text, for searches that answer alike on every database."""
    return strip_accents(str(text or "")).casefold()
