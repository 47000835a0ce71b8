"""The skills catalogue of an interview (from the requirements and the CV) and the facts
of the CV the claims are checked against."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from candidates.skills import ALIASES, skill_key
from interviews.analysis.builtin.lexicon import (
    AMBIGUOUS_SPELLINGS,
    LIVE_INTERVIEWS_CACHED,
    MIN_YEARS_GAP,
    MIN_YEARS_RATIO,
    alternation,
    common_rules,
    fold,
)

# ------------------------------------------------------------------------- skills


@dataclass(frozen=True)
class SkillCatalogue:
    """Every skill an interview may talk about, with the spellings that name it."""

    variants: dict[str, str]  # folded spelling -> skill key
    names: dict[str, str]  # skill key -> display name
    required: tuple[str, ...]  # requirement keys, technical skills first
    nice_to_have: tuple[str, ...]
    cv_keys: frozenset[str]

    @cached_property
    def alternation(self) -> str:
        # Worked out once per catalogue: sorting and escaping every spelling on each
        # lookup was a tenth of an answer's analysis.
        return alternation(list(self.variants))

    def key_of(self, spelling: str) -> str:
        return self.variants.get(fold(spelling), skill_key(spelling))

    def keys_in(self, folded: str, keys: tuple[str, ...] | None = None) -> list[str]:
        found: list[str] = []
        if not self.variants:
            return found
        for match in _skill_regex(self.alternation).finditer(folded):
            key = self.variants.get(match.group(0))
            if key and key not in found and (keys is None or key in keys):
                found.append(key)
        return found


@lru_cache(maxsize=LIVE_INTERVIEWS_CACHED)
def _skill_regex(alternation: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.#+-])(?:{alternation})(?![\w#+])")


def _spellings(name: str) -> set[str]:
    key = skill_key(name)
    spellings = {fold(name), key}
    spellings.update(fold(alias) for alias, target in ALIASES.items() if target == key)
    # Single letters ("r", "c") and aliases that are ordinary words ("go through",
    # "net income") only count when the skill itself is spelled that way.
    return {
        s for s in spellings if len(s) >= 2 and (s not in AMBIGUOUS_SPELLINGS or s == fold(name))
    }


@lru_cache(maxsize=LIVE_INTERVIEWS_CACHED)
def _catalogue(
    required: tuple[str, ...], nice: tuple[str, ...], cv: tuple[str, ...]
) -> SkillCatalogue:
    variants: dict[str, str] = {}
    names: dict[str, str] = {}

    def add(name: str, *, display: bool) -> str:
        key = skill_key(name)
        if not key:
            return ""
        for spelling in _spellings(name):
            variants.setdefault(spelling, key)
        if display or key not in names:
            names.setdefault(key, name.strip())
        return key

    required_keys = tuple(k for k in (add(n, display=True) for n in required) if k)
    nice_keys = tuple(
        k for k in (add(n, display=True) for n in nice) if k and k not in required_keys
    )
    cv_keys = frozenset(k for k in (add(n, display=False) for n in cv) if k)
    for term in common_rules()["tech"]["terms"]:
        add(term, display=False)
    return SkillCatalogue(
        variants=variants,
        names=names,
        required=tuple(dict.fromkeys(required_keys)),
        nice_to_have=tuple(dict.fromkeys(nice_keys)),
        cv_keys=cv_keys,
    )


def _names(items) -> tuple[str, ...]:
    out = []
    for item in items or []:
        if isinstance(item, dict):
            item = item.get("name") or item.get("key") or ""
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
    return tuple(out)


def catalogue_for(requirements: dict, cv_data: dict) -> SkillCatalogue:
    requirements = requirements if isinstance(requirements, dict) else {}
    cv_data = cv_data if isinstance(cv_data, dict) else {}
    cv_names = []
    for skill in cv_data.get("skills") or []:
        if isinstance(skill, dict):
            cv_names.extend(n for n in (skill.get("name"), skill.get("key")) if n)
        elif isinstance(skill, str):
            cv_names.append(skill)
    return _catalogue(
        _names(requirements.get("technical_skills")),
        _names(requirements.get("nice_to_have")),
        tuple(str(n) for n in cv_names),
    )


# -------------------------------------------------------------------- CV helpers


def cv_companies(cv_data: dict) -> dict[str, dict]:
    """Folded company name -> work entry (the first, most recent, one wins)."""
    out: dict[str, dict] = {}
    for entry in (cv_data or {}).get("work") or []:
        if isinstance(entry, dict) and isinstance(entry.get("company"), str):
            name = fold(entry["company"])
            name = re.sub(r",?\s+(?:s\.?a\.?u?|s\.?l\.?|inc\.?|ltd\.?|llc|gmbh)$", "", name)
            if len(name) >= 2:
                out.setdefault(name, entry)
            # People say "en Infoways", "at CloudNova": the name without the words
            # that describe the business or the country.
            short = name
            while True:
                shorter = re.sub(rf"\s+(?:{_COMPANY_TAIL})$", "", short)
                if shorter == short:
                    break
                short = shorter
            if short != name and len(short) >= 4:
                out.setdefault(short, entry)
    return out


_COMPANY_TAIL = (
    "technologies|technology|tech|solutions|solution|labs|lab|consulting|consultores|"
    "software|systems|sistemas|group|grupo|services|servicios|bpo|online|digital|"
    "chile|argentina|mexico|colombia|uruguay|espana|spain|india|uk|usa|global|"
    "corp|corporation|company|co|sa|sl|inc|ltd|llc|pvt|private|limited"
)


def _parse_month(value) -> date | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"(\d{4})(?:-(\d{1,2}))?", value.strip())
    if not match:
        return None
    return date(int(match.group(1)), int(match.group(2) or 1), 1)


def _cv_reference_date(cv_data: dict) -> date | None:
    """The day the CV speaks of: when it was parsed; for a CV typed in by hand, the
    first job's start plus the years of experience it states (its own arithmetic)."""
    parsed = _parse_month(cv_data.get("parsed_at"))
    if parsed is not None:
        return parsed
    years = cv_years(cv_data)
    starts = [
        d
        for d in (
            _parse_month(e.get("startDate"))
            for e in cv_data.get("work") or []
            if isinstance(e, dict)
        )
        if d is not None
    ]
    if years is None or years <= 0 or not starts:
        return None
    first = min(starts)
    months = first.month - 1 + round(years * 12)
    return date(first.year + months // 12, months % 12 + 1, 1)


def start_year(entry: dict | None) -> int | None:
    """The year a CV entry started, if it says."""
    start = _parse_month((entry or {}).get("startDate"))
    return start.year if start else None


def tenure_years(entry: dict, cv_data: dict) -> float | None:
    start = _parse_month(entry.get("startDate"))
    # An open-ended job is measured to the day the CV speaks of, never to
    # "today": the same input must give the same answer tomorrow.
    end = _parse_month(entry.get("endDate")) or _cv_reference_date(cv_data)
    if start is None or end is None or end < start:
        return None
    return round(((end.year - start.year) * 12 + end.month - start.month) / 12, 1)


def cv_years(cv_data: dict) -> float | None:
    value = (cv_data or {}).get("years_of_experience")
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def different(a: float, b: float) -> bool:
    low, high = sorted((a, b))
    if high - low < MIN_YEARS_GAP:
        return False
    return low <= 0 or high / low >= MIN_YEARS_RATIO


def fmt(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language == "es" else text
