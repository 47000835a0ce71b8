"""The built-in analysis provider: offline, deterministic, Spanish and English.

No network, no key, no database: every answer comes from the word lists and
patterns in `rules/<language>.toml` (plus `rules/common.toml`) applied to the chunk,
the host's question, the job requirements, the CV and the running state. The same
input always gives the same output, so the pipeline can retry it freely and the
evaluation in `bench/eval_builtin.py` measures exactly what runs in production.

What it looks at, per chunk:

* guest answers: vague (hedges, no specifics), evasive (deflecting, refusing),
  strong (figures, tools from the role, situation-action-result), contradictions
  (claims about years, skills, leading people and employers, against earlier
  claims and the CV), a switch of language (with an English level), follow-up
  suggestions for requirements nobody has talked about yet;
* host questions: questions on protected grounds, addressed to the interviewer;
  they never touch the candidate's scores.

The running state (JSON) is the whole interview's memory: counts, flags raised,
requirements covered, claims, score samples per dimension and the running scores.
"""

from __future__ import annotations

import copy
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from candidates.skills import ALIASES, skill_key, strip_accents

from .base import (
    DIMENSIONS,
    PROTECTED_QUESTION_TOPIC,
    ChunkAnalysis,
    ChunkContext,
    EvidenceEntry,
    InsightDraft,
    RolesGuess,
    ScorecardContext,
    ScorecardDraft,
    Utterance,
)

RULES_DIR = Path(__file__).with_name("rules")
LANGUAGES = ("es", "en")

# Role detection needs a few exchanges: with fewer than 4 final utterances, or a
# single voice, who asks and who answers is a coin toss, so we wait.
MIN_ROLE_UTTERANCES = 4
MIN_ROLE_SPEAKERS = 2
# Questions in the last quarter of the talk weigh half: that is where the
# candidate asks about the team, the salary and the next steps.
LATE_QUESTION_SHARE = 0.75

# A suggestion every other answer at most, from the second answer on: one per
# answer would bury the interviewer.
FIRST_SUGGESTION_AT = 2
SUGGESTION_EVERY = 2
# An English-level suggestion waits until the interview has settled.
ENGLISH_SUGGESTION_AT = 3

# Two numbers are "different claims" only when they differ by two years and by half:
# "cinco, casi seis" is the same claim, "tres" against "ocho" is not.
MIN_YEARS_GAP = 2.0
MIN_YEARS_RATIO = 1.5

# Points an answer needs to be "strong" (see AnswerFeatures.strength_points): on the
# evaluation set weak answers stay at or under 3 and strong ones start around 6.
STRONG_POINTS = 5.0

STATE_VERSION = 1
MAX_QUOTE = 200

# Numbers that are also articles ("a year", "un año") count in claims but not as
# measured results.
ARTICLES = frozenset({"a", "an", "un", "una"})
AMBIGUOUS_SPELLINGS = frozenset({"go", "ia", "ml", "pg", "ts", "js", "net", "node", "vue", "rest"})


# --------------------------------------------------------------------------- rules


def fold(text: str) -> str:
    """Lower case, accents stripped, curly quotes straightened, spaces collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00b4", "'")
    text = strip_accents(text).casefold()
    return re.sub(r"\s+", " ", text).strip()


@cache
def load_rules(language: str) -> dict:
    language = language if language in LANGUAGES else "es"
    with (RULES_DIR / f"{language}.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def common_rules() -> dict:
    with (RULES_DIR / "common.toml").open("rb") as fh:
        return tomllib.load(fh)


def _phrase_regex(phrase: str) -> str:
    # "ahorr*" is a stem (ahorramos, ahorro); anything else is a whole phrase.
    # A phrase written with accents ("no sé") keeps them: it is matched against the
    # accented text, since folding would confuse it with "no se fue nadie".
    phrase = phrase.lower() if _is_accented(phrase) else fold(phrase)
    if phrase.endswith("*"):
        return r"(?<!\w)" + re.escape(phrase[:-1])
    return r"(?<!\w)" + re.escape(phrase) + r"(?!\w)"


def _is_accented(phrase: str) -> bool:
    return fold(phrase) != phrase.lower()


@lru_cache(maxsize=512)
def _phrase_patterns(language: str, section: str, key: str) -> tuple[tuple[str, re.Pattern], ...]:
    phrases = load_rules(language).get(section, {}).get(key, [])
    return tuple((p, re.compile(_phrase_regex(p))) for p in phrases)


def phrases_in(
    text: str, language: str, section: str, key: str, *, original: str = ""
) -> list[str]:
    """The distinct phrases of a rules list that occur in folded `text`.

    Accented phrases are looked for in `original` (lower-cased) when it is given.
    """
    lowered = unicodedata.normalize("NFC", original).lower()
    return [
        p
        for p, rx in _phrase_patterns(language, section, key)
        if rx.search(lowered if _is_accented(p) and original else text)
    ]


@cache
def _number_alternation(language: str, *, articles: bool) -> str:
    words = load_rules(language)["numbers"]["words"]
    names = sorted(
        (fold(w) for w in words if articles or w not in ARTICLES), key=lambda w: (-len(w), w)
    )
    return r"\d+(?:[.,]\d+)?|" + "|".join(re.escape(n) for n in names)


def parse_number(text: str, language: str) -> float | None:
    text = fold(text).strip()
    words = {fold(k): v for k, v in load_rules(language)["numbers"]["words"].items()}
    if text in words:
        return float(words[text])
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _alternation(names: list[str]) -> str:
    unique = sorted(set(names), key=lambda n: (-len(n), n))
    return "|".join(re.escape(n) for n in unique)


@lru_cache(maxsize=1024)
def _claim_patterns(
    language: str, section: str, key: str, skill_alt: str, company_alt: str
) -> tuple[re.Pattern, ...]:
    """A rules list of regexes with its placeholders filled in and compiled."""
    rules = load_rules(language)
    num = _number_alternation(language, articles=True)
    metric_num = _number_alternation(language, articles=False)
    years = (
        rf"(?P<n>{num})\s+(?:{rules['numbers']['years_word']})"
        rf"(?P<half>\s+{rules['numbers']['half']})?"
    )
    skill = rf"(?<![\w.#+-])(?:{skill_alt})(?![\w#+])"
    raw = rules.get(section, {}).get(key, [])
    if isinstance(raw, str):
        raw = [raw]
    compiled = []
    for pattern in raw:
        if ("{skill" in pattern and not skill_alt) or ("{company}" in pattern and not company_alt):
            continue
        pattern = (
            pattern.replace("{years}", years)
            .replace("{n}", rf"(?P<n>{num})")
            .replace("{m}", rf"(?:{metric_num})")
            .replace("{skill_nc}", skill)
            .replace("{skill}", rf"(?P<skill>{skill})")
            .replace("{company}", rf"(?<!\w)(?P<company>{company_alt})(?!\w)")
        )
        compiled.append(re.compile(pattern))
    return tuple(compiled)


# ----------------------------------------------------------------------- language


@lru_cache(maxsize=4)
def _stopwords(language: str) -> frozenset[str]:
    return frozenset(fold(w) for w in load_rules(language)["language"]["stopwords"])


_WORD = re.compile(r"[\w'+#.-]+")
_SPANISH_MARKS = re.compile(r"[áéíóúñ¿¡]", re.IGNORECASE)


def words_of(folded: str) -> list[str]:
    return [w.strip(".'-") for w in _WORD.findall(folded) if w.strip(".'-")]


def detect_language(text: str, default: str) -> str:
    """The language a chunk is spoken in; `default` when it is too short to tell."""
    tokens = words_of(fold(text))
    es = sum(1 for t in tokens if t in _stopwords("es"))
    en = sum(1 for t in tokens if t in _stopwords("en"))
    es += min(len(_SPANISH_MARKS.findall(text)), 3)
    if en >= 3 and en > es * 1.5:
        return "en"
    if es >= 2 and es > en * 1.5:
        return "es"
    return default if default in LANGUAGES else "es"


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;\u2026])\s+")


def sentences(text: str) -> list[str]:
    """Sentences of the original text; each one stands verbatim in it (evidence)."""
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def _with_replacements(folded: str, language: str) -> str:
    for old, new in load_rules(language)["numbers"].get("replace", []):
        folded = folded.replace(old, new)
    return folded


# ------------------------------------------------------------------------- skills


@dataclass(frozen=True)
class SkillCatalogue:
    """Every skill an interview may talk about, with the spellings that name it."""

    variants: dict[str, str]  # folded spelling -> skill key
    names: dict[str, str]  # skill key -> display name
    required: tuple[str, ...]  # requirement keys, technical skills first
    nice_to_have: tuple[str, ...]
    cv_keys: frozenset[str]

    @property
    def alternation(self) -> str:
        return _alternation(list(self.variants))

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


@lru_cache(maxsize=256)
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


@lru_cache(maxsize=256)
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


def _cv_companies(cv_data: dict) -> dict[str, dict]:
    """Folded company name -> work entry (the first, most recent, one wins)."""
    out: dict[str, dict] = {}
    for entry in (cv_data or {}).get("work") or []:
        if isinstance(entry, dict) and isinstance(entry.get("company"), str):
            name = fold(entry["company"])
            name = re.sub(r",?\s+(?:s\.?a\.?u?|s\.?l\.?|inc\.?|ltd\.?|llc|gmbh)$", "", name)
            if len(name) >= 2:
                out.setdefault(name, entry)
    return out


def _parse_month(value) -> date | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"(\d{4})(?:-(\d{1,2}))?", value.strip())
    if not match:
        return None
    return date(int(match.group(1)), int(match.group(2) or 1), 1)


def _tenure_years(entry: dict, cv_data: dict) -> float | None:
    start = _parse_month(entry.get("startDate"))
    # An open-ended job is measured to the day the CV was parsed, never to
    # "today": the same input must give the same answer tomorrow.
    end = _parse_month(entry.get("endDate")) or _parse_month(cv_data.get("parsed_at"))
    if start is None or end is None or end < start:
        return None
    return round(((end.year - start.year) * 12 + end.month - start.month) / 12, 1)


def _cv_years(cv_data: dict) -> float | None:
    value = (cv_data or {}).get("years_of_experience")
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _different(a: float, b: float) -> bool:
    low, high = sorted((a, b))
    if high - low < MIN_YEARS_GAP:
        return False
    return low <= 0 or high / low >= MIN_YEARS_RATIO


def _fmt(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language == "es" else text


# ------------------------------------------------------------------------ claims


@dataclass
class Claim:
    kind: str  # years_total | skill_years | skill_use | lead | company_years | company_never
    sentence: str  # the original sentence: verbatim evidence
    value: float | None = None
    subject: str = ""  # skill key or folded company
    polarity: int = 1


_NEGATION = {
    "es": re.compile(r"(?<!\w)(?:no|nunca|jamas|ni)(?!\w)"),
    "en": re.compile(r"(?<!\w)(?:never|not|no)(?!\w)|n't\b"),
}


def read_claims(
    text: str, language: str, catalogue: SkillCatalogue, companies: dict[str, dict]
) -> list[Claim]:
    """Claims stated in a chunk, sentence by sentence."""
    skill_alt = catalogue.alternation
    company_alt = _alternation(list(companies))
    claims: list[Claim] = []

    def patterns(key: str) -> tuple[re.Pattern, ...]:
        return _claim_patterns(language, "claims", key, skill_alt, company_alt)

    def years_of(match: re.Match) -> float | None:
        value = parse_number(match.group("n"), language)
        if value is not None and match.groupdict().get("half"):
            value += 0.5
        return value

    for sentence in sentences(text):
        folded = _with_replacements(fold(sentence), language)
        negation = _NEGATION[language]
        for rx in patterns("skill_years"):
            for m in rx.finditer(folded):
                value = years_of(m)
                key = catalogue.key_of(m.group("skill"))
                if value is not None and not negation.search(folded[: m.start()]):
                    claims.append(Claim("skill_years", sentence, value, key))
                    claims.append(Claim("skill_use", sentence, None, key, 1))
        for rx in patterns("years_total"):
            for m in rx.finditer(folded):
                value = years_of(m)
                if value is not None:
                    claims.append(Claim("years_total", sentence, value))
        negative_skills = set()
        for rx in patterns("skill_negative"):
            for m in rx.finditer(folded):
                key = catalogue.key_of(m.group("skill"))
                negative_skills.add(key)
                claims.append(Claim("skill_use", sentence, None, key, -1))
        for rx in patterns("skill_positive"):
            for m in rx.finditer(folded):
                key = catalogue.key_of(m.group("skill"))
                if key in negative_skills or negation.search(folded[: m.start("skill")]):
                    continue
                claims.append(Claim("skill_use", sentence, None, key, 1))
        lead_negative = any(rx.search(folded) for rx in patterns("lead_negative"))
        if lead_negative:
            claims.append(Claim("lead", sentence, None, "", -1))
        else:
            for rx in patterns("lead_positive"):
                m = rx.search(folded)
                if m and not negation.search(folded[: m.start()]):
                    claims.append(Claim("lead", sentence, None, "", 1))
                    break
        for rx in patterns("company_years"):
            for m in rx.finditer(folded):
                value = years_of(m)
                if value is not None:
                    claims.append(Claim("company_years", sentence, value, m.group("company")))
        for rx in patterns("company_never"):
            for m in rx.finditer(folded):
                claims.append(Claim("company_never", sentence, None, m.group("company")))
    # One claim per kind, subject and polarity and sentence: patterns overlap.
    unique: dict[tuple, Claim] = {}
    for claim in claims:
        unique.setdefault(
            (claim.kind, claim.subject, claim.polarity, claim.value, claim.sentence), claim
        )
    return list(unique.values())


def _check_claims(
    claims: list[Claim],
    state: dict,
    context: ChunkContext,
    catalogue: SkillCatalogue,
    companies: dict[str, dict],
) -> list[tuple[str, Claim]]:
    """Contradictions of these claims with earlier ones and with the CV.

    Returns (message, claim) pairs; earlier claims come from `state["claims"]`.
    """
    msgs = load_rules(context.language)["messages"]
    lang = context.language
    earlier = state.get("claims", [])
    cv_years = _cv_years(context.cv_data)
    found: list[tuple[str, Claim]] = []

    def previous(kind: str, subject: str = "") -> list[dict]:
        return [c for c in earlier if c["kind"] == kind and c.get("subject", "") == subject]

    claimed_totals = [c["value"] for c in earlier if c["kind"] == "years_total"]
    claimed_totals += [c.value for c in claims if c.kind == "years_total" and c.value]
    total = claimed_totals[-1] if claimed_totals else cv_years
    for claim in claims:
        name = catalogue.names.get(claim.subject, claim.subject)
        message = None
        if claim.kind == "years_total":
            before = next(
                (
                    c
                    for c in reversed(previous("years_total"))
                    if _different(c["value"], claim.value)
                ),
                None,
            )
            if before:
                message = msgs["contradiction_years_claim"].format(
                    now=_fmt(claim.value, lang), before=_fmt(before["value"], lang)
                )
            elif cv_years is not None and _different(cv_years, claim.value):
                message = msgs["contradiction_years_cv"].format(
                    now=_fmt(claim.value, lang), cv=_fmt(cv_years, lang)
                )
        elif claim.kind == "skill_years":
            before = next(
                (
                    c
                    for c in reversed(previous("skill_years", claim.subject))
                    if _different(c["value"], claim.value)
                ),
                None,
            )
            if before:
                message = msgs["contradiction_skill_years_claim"].format(
                    now=_fmt(claim.value, lang), before=_fmt(before["value"], lang), skill=name
                )
            elif total is not None and claim.value > total + 1:
                message = msgs["contradiction_skill_years_total"].format(
                    now=_fmt(claim.value, lang), total=_fmt(total, lang), skill=name
                )
        elif claim.kind == "skill_use":
            uses = previous("skill_use", claim.subject)
            if claim.polarity < 0:
                if any(c["polarity"] > 0 for c in uses):
                    message = msgs["contradiction_skill_use_claim"].format(skill=name)
                elif claim.subject in catalogue.cv_keys:
                    message = msgs["contradiction_skill_use_cv"].format(skill=name)
            elif any(c["polarity"] < 0 for c in uses):
                message = msgs["contradiction_skill_unuse_claim"].format(skill=name)
        elif claim.kind == "lead":
            if any(c["polarity"] == -claim.polarity for c in previous("lead")):
                key = (
                    "contradiction_lead_negative"
                    if claim.polarity < 0
                    else "contradiction_lead_positive"
                )
                message = msgs[key]
        elif claim.kind == "company_years":
            entry = companies.get(claim.subject)
            tenure = _tenure_years(entry, context.cv_data) if entry else None
            if (
                tenure is not None
                and abs(tenure - claim.value) >= 1.5
                and (
                    min(tenure, claim.value) <= 0
                    or max(tenure, claim.value) / min(tenure, claim.value) >= 1.75
                )
            ):
                message = msgs["contradiction_company_years"].format(
                    now=_fmt(claim.value, lang), cv=_fmt(tenure, lang), company=entry["company"]
                )
        elif claim.kind == "company_never" and claim.subject in companies:
            message = msgs["contradiction_company_never"].format(
                company=companies[claim.subject]["company"]
            )
        if message:
            found.append((message, claim))
    return found


# ---------------------------------------------------------------- answer features


@dataclass
class AnswerFeatures:
    language: str
    words: int
    hedges: list[str]
    evasions: list[str]
    self_praise: int
    metrics: int
    numbers: int
    required_tools: list[str]
    tools: list[str]
    proper_nouns: int
    actions: int
    results: int
    situations: int
    strategic: int
    leadership: int
    positive: int
    negative: int
    technical_question: bool
    strategic_question: bool
    leadership_question: bool

    @property
    def specifics(self) -> int:
        return self.numbers + len(self.tools) + self.proper_nouns

    @property
    def strength_points(self) -> float:
        return (
            2 * min(self.metrics, 3)
            + min(len(self.required_tools), 3)
            + 0.5 * min(len(self.tools), 2)
            + min(self.actions, 3)
            + min(self.results, 2)
            + min(self.situations, 1)
            + 0.5 * min(self.numbers, 2)
        )

    @property
    def evasive(self) -> bool:
        return bool(self.evasions) and self.metrics == 0 and self.specifics <= 2

    @property
    def vague(self) -> bool:
        if self.evasive or self.strong:
            return False
        hedges = len(self.hedges) + self.self_praise
        return hedges >= 1 and self.metrics == 0 and self.specifics <= 1

    @property
    def strong(self) -> bool:
        return (
            not self.evasive
            and self.words >= 12
            and self.strength_points >= STRONG_POINTS
            and len(self.hedges) <= 2
        )


_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%|\bpor ciento\b|\bpercent\b")
_MONEY = re.compile(r"[$\u20ac\u00a3]\s?\d|\d\s?(?:euros|dollars|[$\u20ac\u00a3])")
_BIG_NUMBER = re.compile(r"(?<![\w.,])(?!(?:19|20)\d\d\b)(?:\d{1,3}(?:[.,]\d{3})+|\d{3,})(?![\w])")
_DIGITS = re.compile(r"(?<![\w])\d+(?:[.,]\d+)?")
_CAPITALISED = re.compile(
    r"(?<![\w'])[A-Z\u00c0-\u00de][\w\u00c0-\u00ff-]{2,}|(?<![\w'])[A-Z]{2,}\b"
)


@lru_cache(maxsize=8)
def _metric_patterns(language: str) -> tuple[re.Pattern, ...]:
    rules = load_rules(language)["strong"]
    metric_num = _number_alternation(language, articles=False)
    units = "|".join(re.escape(fold(u)) for u in rules["units"])
    from_to = _claim_patterns(language, "strong", "from_to", "", "")
    return (
        re.compile(rf"(?<![\w])(?:{metric_num})\s?(?:{units})(?!\w)"),
        *from_to,
    )


@lru_cache(maxsize=8)
def _action_pattern(language: str) -> re.Pattern:
    rules = load_rules(language)["strong"]
    listed = "|".join(re.escape(fold(a)) for a in rules["actions"])
    if language == "es":
        return re.compile(rf"(?<!\w)(?:{listed})(?!\w)")
    return re.compile(
        r"(?<!\w)(?:i|we)(?: (?:also|then|just|first|once|quickly|personally|eventually|finally))?"
        rf" (?:[a-z]+ed|{listed})(?!\w)"
    )


_ES_PRETERITE = re.compile(
    r"(?<!\w)[a-zñáéíóú]{3,}(?:é|í)(?!\w)|(?<!\w)[a-zñ]{3,}(?:amos|imos)(?!\w)"
)


def _count_actions(text: str, folded: str, language: str) -> int:
    found = {m.group(0) for m in _action_pattern(language).finditer(folded)}
    if language == "es":
        excluded = {fold(w) for w in load_rules("es")["strong"]["not_actions"]}
        for m in _ES_PRETERITE.finditer(text.lower()):
            word = fold(m.group(0))
            if word not in excluded:
                found.add(word)
    return len(found)


def answer_features(
    text: str, question: str | None, language: str, catalogue: SkillCatalogue
) -> AnswerFeatures:
    """Everything the rules measure about one answer, in the answer's language."""
    folded = fold(text)
    qfolded = fold(question or "")
    words = words_of(folded)
    metrics = sum(len(rx.findall(folded)) for rx in _metric_patterns(language))
    metrics += len(_PERCENT.findall(folded)) + len(_MONEY.findall(folded))
    metrics += len(_BIG_NUMBER.findall(folded))
    number_words = {
        fold(w) for w in load_rules(language)["numbers"]["words"] if w not in ARTICLES
    } - {"one", "uno"}
    numbers = len(_DIGITS.findall(folded)) + sum(1 for w in words if w in number_words)
    tools = catalogue.keys_in(folded)
    required = [k for k in tools if k in catalogue.required or k in catalogue.nice_to_have]
    stop = _stopwords(language) | _stopwords("es") | _stopwords("en")
    proper = set()
    for sentence in sentences(text):
        for m in _CAPITALISED.finditer(sentence):
            if m.start() == 0 or sentence[: m.start()].rstrip().endswith(
                (":", "\u00bf", "\u00a1", '"')
            ):
                continue
            word = fold(m.group(0))
            if word not in stop and word not in catalogue.variants:
                proper.add(word)

    def count(key: str, section: str = "strong") -> int:
        return len(phrases_in(folded, language, section, key, original=text))

    return AnswerFeatures(
        language=language,
        words=len(words),
        hedges=phrases_in(folded, language, "vague", "phrases", original=text),
        evasions=phrases_in(folded, language, "evasive", "phrases", original=text),
        self_praise=count("self_praise", "vague"),
        metrics=metrics,
        numbers=numbers,
        required_tools=required,
        tools=tools,
        proper_nouns=len(proper),
        actions=_count_actions(text, folded, language),
        results=count("result"),
        situations=count("situation"),
        strategic=count("strategic", "dimensions"),
        leadership=count("leadership", "dimensions"),
        positive=count("positive", "dimensions"),
        negative=count("negative", "dimensions"),
        technical_question=bool(
            phrases_in(qfolded, language, "dimensions", "technical_question")
            or catalogue.keys_in(qfolded)
        ),
        strategic_question=bool(phrases_in(qfolded, language, "dimensions", "strategic_question")),
        leadership_question=bool(
            phrases_in(qfolded, language, "dimensions", "leadership_question")
        ),
    )


def _best_sentence(text: str, language: str, section: str, key: str) -> str:
    """The sentence of `text` that holds most of a rules list: the evidence to quote."""
    best, best_hits = None, 0
    for sentence in sentences(text):
        hits = len(phrases_in(fold(sentence), language, section, key, original=sentence))
        if hits > best_hits:
            best, best_hits = sentence, hits
    return best or (sentences(text) or [text.strip()])[0]


def _strongest_sentence(text: str, language: str, catalogue: SkillCatalogue) -> str:
    best, best_points = None, -1.0
    for sentence in sentences(text):
        features = answer_features(sentence, None, language, catalogue)
        points = features.strength_points
        if points > best_points:
            best, best_points = sentence, points
    return best or text.strip()


# ----------------------------------------------------------------------- English


def english_level(text: str) -> tuple[int, list[str], bool, int]:
    """An estimate 1-10 of the English in `text`: (score, mistakes, self-doubt, fluency)."""
    rules = load_rules("en")["english"]
    folded = fold(text)
    errors = [p for p in rules["errors"] if re.search(p, folded)]
    self_low = any(fold(p) in folded for p in rules["self_low"])
    fluency = len(phrases_in(folded, "en", "english", "fluency"))
    words = len(words_of(folded))
    score = 6.0 + 0.75 * min(fluency, 4) - 1.5 * min(len(errors), 3)
    if self_low:
        score -= 2
    if words >= 18 and not errors:
        score += 1
    if words < 8:
        score -= 1
    return max(1, min(10, int(score + 0.5))), errors, self_low, fluency


# ------------------------------------------------------------------------- state


def _fresh_state(state: dict | None) -> dict:
    state = copy.deepcopy(state) if isinstance(state, dict) else {}
    state.setdefault("version", STATE_VERSION)
    counts = state.setdefault("counts", {})
    for key in (
        "guest_chunks",
        "host_chunks",
        "red_flags",
        "green_flags",
        "contradictions",
        "suggestions",
        "notes",
        "protected_questions",
        "english_chunks",
    ):
        counts.setdefault(key, 0)
    state.setdefault("flags", [])
    state.setdefault("covered_requirements", [])
    state.setdefault("suggested", [])
    state.setdefault("claims", [])
    state.setdefault("contradictions_raised", [])
    state.setdefault("samples", {})
    state.setdefault("scores", {})
    state.setdefault("protected", [])
    return state


def _add_sample(state: dict, dimension: str, value: float) -> None:
    total, count = state["samples"].get(dimension, [0, 0])
    state["samples"][dimension] = [round(total + max(1.0, min(10.0, value)), 2), count + 1]


def _running_scores(state: dict) -> dict[str, int]:
    scores = {}
    for dim in DIMENSIONS:
        total, count = state["samples"].get(dim, [0, 0])
        if count:
            scores[dim] = max(1, min(10, int(total / count + 0.5)))
    return scores


def _cover(state: dict, keys: list[str]) -> None:
    for key in keys:
        if key not in state["covered_requirements"]:
            state["covered_requirements"].append(key)


# ------------------------------------------------------------------ the analysis


def _protected_insight(context: ChunkContext) -> tuple[InsightDraft | None, list[str]]:
    text = context.chunk.text
    grounds: list[str] = []
    evidence = None
    for sentence in sentences(text):
        folded = fold(sentence)
        for language in (
            context.language,
            *[lang for lang in LANGUAGES if lang != context.language],
        ):
            for ground, spec in load_rules(language)["protected"].items():
                if ground in grounds:
                    continue
                if any(re.search(p, folded) for p in spec["patterns"]):
                    grounds.append(ground)
                    evidence = evidence or sentence
    if not grounds:
        return None, []
    msgs = load_rules(context.language)
    protected = msgs["protected"]
    content = msgs["messages"]["protected_prefix"] + " ".join(
        protected[g]["content"] for g in grounds
    )
    return (
        InsightDraft(
            type="note",
            severity="critical",
            content=content,
            suggestion=protected[grounds[0]]["suggestion"],
            topic=PROTECTED_QUESTION_TOPIC,
            evidence=evidence,
        ),
        grounds,
    )


def _analyze_host(
    context: ChunkContext, state: dict, catalogue: SkillCatalogue
) -> list[InsightDraft]:
    state["counts"]["host_chunks"] += 1
    folded = fold(context.chunk.text)
    topics = catalogue.keys_in(folded, catalogue.required + catalogue.nice_to_have)
    _cover(state, topics)
    state["open_question"] = {"transcript_id": context.chunk.transcript_id, "topics": topics}
    insight, grounds = _protected_insight(context)
    if insight is None:
        return []
    # Noted for the interviewer only: no score, no sample, no flag count against the
    # candidate.
    state["counts"]["protected_questions"] += 1
    state["protected"].append({"transcript_id": context.chunk.transcript_id, "grounds": grounds})
    return [insight]


def _quality(features: AnswerFeatures) -> int:
    if features.evasive:
        return 2 + (features.words > 20)
    if features.vague:
        return 3 + (features.words >= 15)
    if features.strong:
        points = features.strength_points
        return min(10, 7 + (points >= 8) + (points >= 10) + (features.metrics >= 2))
    quality = 5 + min(features.specifics, 2) + (1 if features.actions else 0)
    if features.words < 6:
        quality -= 1
    return max(3, min(7, quality))


def _sentiment(features: AnswerFeatures) -> str:
    if features.evasive:
        return "evasive"
    if features.negative:
        return "negative"
    if features.strong or features.positive:
        return "positive"
    return "neutral"


def _sample_dimensions(
    state: dict, features: AnswerFeatures, quality: int, claims: list[Claim], contradicted: bool
) -> None:
    evasive, vague, strong = features.evasive, features.vague, features.strong
    _add_sample(state, "communication", quality)
    if evasive:
        attitude = 3
    elif features.negative or contradicted:
        attitude = 4
    elif strong or features.positive:
        attitude = 8
    elif vague:
        attitude = 5
    else:
        attitude = 6
    _add_sample(state, "attitude", attitude)

    negated_required = any(
        c.kind == "skill_use" and c.polarity < 0 and c.subject in features.required_tools
        for c in claims
    )
    if features.tools or features.technical_question:
        if evasive:
            technical = 3
        elif strong:
            technical = 8 + (len(features.required_tools) >= 2)
        elif vague or negated_required:
            technical = 4
        else:
            technical = 5 + min(len(features.tools), 2)
        _add_sample(state, "technical", technical)

    if features.strategic or features.strategic_question:
        if evasive:
            strategic = 3
        elif strong:
            strategic = 7 + min(features.strategic, 2)
        elif vague:
            strategic = 4
        else:
            strategic = 5 + min(features.strategic, 2)
        _add_sample(state, "strategic", strategic)

    lead = [c.polarity for c in claims if c.kind == "lead"]
    if features.leadership or features.leadership_question or lead:
        if evasive or (lead and lead[-1] < 0):
            leadership = 3
        elif strong and (features.leadership or lead):
            leadership = 8 + (features.metrics > 0)
        elif lead:
            leadership = 7
        elif vague:
            leadership = 4
        else:
            leadership = 5 + min(features.leadership, 2)
        _add_sample(state, "leadership", leadership)


def _suggestions(
    context: ChunkContext, state: dict, catalogue: SkillCatalogue
) -> list[InsightDraft]:
    """At most one follow-up question for a requirement nobody has talked about yet."""
    guest_chunks = state["counts"]["guest_chunks"]
    last = state.get("last_suggestion_at")
    if guest_chunks < FIRST_SUGGESTION_AT or (
        last is not None and guest_chunks - last < SUGGESTION_EVERY
    ):
        return []
    msgs = load_rules(context.language)["messages"]
    requirements = context.requirements if isinstance(context.requirements, dict) else {}
    candidates: list[tuple[str, str, str]] = []  # (key, content, question)
    for key in catalogue.required:
        name = catalogue.names.get(key, key)
        candidates.append(
            (
                key,
                msgs["requirement_content"].format(skill=name),
                msgs["requirement_question"].format(skill=name),
            )
        )
    english = requirements.get("english_level")
    if (
        english
        and context.language == "es"
        and guest_chunks >= ENGLISH_SUGGESTION_AT
        and not state["counts"]["english_chunks"]
    ):
        candidates.append(
            ("english", msgs["english_content"].format(level=english), msgs["english_question"])
        )
    for key in catalogue.nice_to_have:
        name = catalogue.names.get(key, key)
        candidates.append(
            (
                key,
                msgs["nice_to_have_content"].format(skill=name),
                msgs["requirement_question"].format(skill=name),
            )
        )
    for key, content, question in candidates:
        if key in state["covered_requirements"] or key in state["suggested"]:
            continue
        state["suggested"].append(key)
        state["last_suggestion_at"] = guest_chunks
        state["counts"]["suggestions"] += 1
        return [
            InsightDraft(
                type="suggestion",
                severity="info",
                content=content,
                suggestion=question,
                topic=f"requirement:{key}"[:100],
            )
        ]
    return []


def _language_note(
    context: ChunkContext, state: dict, chunk_language: str, features: AnswerFeatures
) -> InsightDraft | None:
    msgs = load_rules(context.language)["messages"]
    previous = state.get("last_guest_language", context.language)
    state["last_guest_language"] = chunk_language
    if chunk_language == "en":
        state["counts"]["english_chunks"] += 1
        _cover(state, ["english"])
        score, errors, self_low, fluency = english_level(context.chunk.text)
        _add_sample(state, "english", score)
    if chunk_language == context.language or features.words < 4 or previous == chunk_language:
        return None
    if chunk_language == "en":
        notes = []
        if errors:
            notes.append(msgs["english_errors"].format(errors=len(errors)))
        if self_low:
            notes.append(msgs["english_self"])
        if not notes:
            notes.append(msgs["english_fluent"] if fluency >= 2 else msgs["english_plain"])
        content = msgs["switch_to_english"].format(score=score, notes="; ".join(notes))
    else:
        # Falling back to Spanish in an English interview says something about
        # the candidate's English: one low sample, not a verdict.
        _add_sample(state, "english", 4)
        content = msgs["switch_from_english"]
    return InsightDraft(
        type="note",
        severity="info",
        content=content,
        topic="language_switch",
        evidence=(sentences(context.chunk.text) or [context.chunk.text.strip()])[0],
    )


def _analyze_guest(
    context: ChunkContext, state: dict, catalogue: SkillCatalogue
) -> list[InsightDraft]:
    text = context.chunk.text
    msgs = load_rules(context.language)["messages"]
    chunk_language = detect_language(text, context.language)
    state["counts"]["guest_chunks"] += 1
    features = answer_features(text, context.question, chunk_language, catalogue)
    _cover(state, catalogue.keys_in(fold(text), catalogue.required + catalogue.nice_to_have))

    companies = _cv_companies(context.cv_data)
    claims = read_claims(text, chunk_language, catalogue, companies)
    contradictions = _check_claims(claims, state, context, catalogue, companies)
    for claim in claims:
        state["claims"].append(
            {
                "kind": claim.kind,
                "value": claim.value,
                "subject": claim.subject,
                "polarity": claim.polarity,
                "transcript_id": context.chunk.transcript_id,
                "quote": claim.sentence[:MAX_QUOTE],
            }
        )

    quality = _quality(features)
    sentiment = _sentiment(features)
    insights: list[InsightDraft] = []
    for message, claim in contradictions:
        raised = f"{claim.kind}:{claim.subject}:{claim.polarity}:{claim.value}"
        if raised in state["contradictions_raised"]:
            continue
        state["contradictions_raised"].append(raised)
        insights.append(
            InsightDraft(
                type="contradiction",
                severity="warning",
                content=message,
                suggestion=msgs["contradiction_suggestion"],
                topic=claim.kind,
                evidence=claim.sentence,
            )
        )
    if features.evasive:
        question = (context.question or "").strip()
        insights.append(
            InsightDraft(
                type="red-flag",
                severity="warning",
                content=msgs["evasive_content"],
                suggestion=msgs["evasive_suggestion"].format(question=question[:300])
                if question
                else msgs["evasive_suggestion_default"],
                topic="evasive_answer",
                evidence=_best_sentence(text, chunk_language, "evasive", "phrases"),
            )
        )
    elif features.vague:
        insights.append(
            InsightDraft(
                type="red-flag",
                severity="warning",
                content=msgs["vague_content"],
                suggestion=msgs["vague_suggestion"],
                topic="vague_answer",
                evidence=_best_sentence(text, chunk_language, "vague", "phrases"),
            )
        )
    elif features.strong:
        details = []
        if features.metrics:
            details.append(msgs["strong_metrics"])
        if features.required_tools:
            tools = ", ".join(catalogue.names.get(k, k) for k in features.required_tools)
            details.append(msgs["strong_tools"].format(tools=tools))
        if features.situations and features.actions and features.results:
            details.append(msgs["strong_star"])
        elif features.actions:
            details.append(msgs["strong_actions"])
        insights.append(
            InsightDraft(
                type="green-flag",
                severity="success",
                content=msgs["strong_content"].format(details=", ".join(details)),
                topic="strong_answer",
                evidence=_strongest_sentence(text, chunk_language, catalogue),
            )
        )
    note = _language_note(context, state, chunk_language, features)
    if note is not None:
        insights.append(note)
    _sample_dimensions(state, features, quality, claims, bool(contradictions))
    if any(c[1].kind in {"years_total", "company_years", "company_never"} for c in contradictions):
        _add_sample(state, "attitude", 3)

    for insight in insights:
        # The answer's own insights carry its quality and tone; suggestions below
        # are about the interview, not the answer.
        insight.response_quality = quality
        insight.sentiment = sentiment
        counter = {
            "red-flag": "red_flags",
            "green-flag": "green_flags",
            "contradiction": "contradictions",
            "note": "notes",
        }[insight.type]
        state["counts"][counter] += 1
        state["flags"].append(
            {
                "type": insight.type,
                "topic": insight.topic,
                "transcript_id": context.chunk.transcript_id,
            }
        )
    insights.extend(_suggestions(context, state, catalogue))
    return insights


def analyze(context: ChunkContext) -> ChunkAnalysis:
    """The synchronous heart of `BuiltinProvider.analyze_chunk`."""
    state = _fresh_state(context.state)
    catalogue = catalogue_for(context.requirements, context.cv_data)
    if context.chunk.role == "host":
        insights = _analyze_host(context, state, catalogue)
    elif context.chunk.role == "guest" and context.chunk.text.strip():
        insights = _analyze_guest(context, state, catalogue)
    else:
        insights = []
    state["scores"] = _running_scores(state)
    for insight in insights:
        if insight.topic != PROTECTED_QUESTION_TOPIC:
            insight.score = dict(state["scores"]) or None
    return ChunkAnalysis(insights=insights, state=state)


# ------------------------------------------------------------------------- roles


def _role_phrases(key: str) -> tuple[tuple[str, re.Pattern], ...]:
    return _phrase_patterns("es", "roles", key) + _phrase_patterns("en", "roles", key)


def _is_question(text: str, folded: str) -> bool:
    if "?" in text:
        return True
    start = folded.lstrip("\u00bf\u00a1 ")
    return any(rx.match(start) for _, rx in _role_phrases("interrogatives"))


def detect_roles_sync(utterances: list[Utterance], language: str) -> RolesGuess | None:
    """Who asks the questions (host) and who answers (guest); None until we can tell.

    Never assumes speaker_0: each speaker is scored on questions asked (those in the
    last quarter of the talk weigh half, and questions about "your team"/"vuestro
    equipo" count for the candidate), host phrases (welcome, presenting the role)
    and shorter turns.
    """
    spoken = [u for u in utterances if u.speaker and u.text and u.text.strip()]
    speakers = sorted({u.speaker for u in spoken})
    if len(spoken) < MIN_ROLE_UTTERANCES or len(speakers) < MIN_ROLE_SPEAKERS:
        return None
    stats = {
        s: {"n": 0, "questions": 0.0, "host": 0, "guest_questions": 0, "words": 0} for s in speakers
    }
    late_from = LATE_QUESTION_SHARE * len(spoken)
    for index, u in enumerate(spoken):
        folded = fold(u.text)
        entry = stats[u.speaker]
        entry["n"] += 1
        entry["words"] += len(words_of(folded))
        entry["host"] += min(
            2, sum(1 for _, rx in _role_phrases("host_phrases") if rx.search(folded))
        )
        if _is_question(u.text, folded):
            if any(rx.search(folded) for _, rx in _role_phrases("guest_question_markers")):
                entry["guest_questions"] += 1
            else:
                entry["questions"] += 0.5 if index >= late_from else 1.0
    ranked = sorted(speakers, key=lambda s: (-stats[s]["n"], s))[:2]

    def host_score(s: str) -> float:
        e = stats[s]
        return (e["questions"] + 0.5 * e["host"] - 0.5 * e["guest_questions"]) / e["n"]

    scores = {s: host_score(s) for s in ranked}
    avg_words = {s: stats[s]["words"] / stats[s]["n"] for s in ranked}
    shorter = min(ranked, key=lambda s: (avg_words[s], s))
    if avg_words[ranked[0]] != avg_words[ranked[1]]:
        scores[shorter] += 0.3
    host, guest = sorted(ranked, key=lambda s: (-scores[s], s))
    margin = scores[host] - scores[guest]
    confidence = 50 + 50 * min(1.0, margin)
    # Little speech: pull the confidence towards a coin toss.
    confidence = 50 + (confidence - 50) * min(1.0, len(spoken) / 8)
    return RolesGuess(host=host, guest=guest, confidence=max(0, min(100, int(confidence + 0.5))))


# --------------------------------------------------------------------- scorecard


def _replay(context: ScorecardContext) -> tuple[dict, list[dict]]:
    """Analyse the transcript from scratch: for a scorecard without a running state."""
    state: dict = {}
    insights: list[dict] = []
    question = None
    for u in context.utterances:
        chunk_context = ChunkContext(
            interview_id=context.interview_id,
            language=context.language,
            chunk=u,
            question=question if u.role == "guest" else None,
            requirements=context.requirements,
            cv_data=context.cv_data,
            state=state,
        )
        result = analyze(chunk_context)
        state = result.state
        for draft in result.insights:
            insights.append({**draft.__dict__, "transcript_id": u.transcript_id})
        if u.role == "host":
            question = u.text
    return state, insights


def _evidence_entry(
    insight: dict, utterances: list[Utterance], by_id: dict[int, Utterance]
) -> EvidenceEntry | None:
    evidence = (insight.get("evidence") or "").strip()
    utterance = by_id.get(insight.get("transcript_id"))
    if utterance is None or (evidence and evidence not in utterance.text):
        utterance = next((u for u in utterances if evidence and evidence in u.text), None)
    if utterance is None:
        return None
    quote = (
        evidence
        if evidence and evidence in utterance.text
        else (sentences(utterance.text) or [utterance.text])[0]
    )
    if not quote or quote not in utterance.text:
        return None
    return EvidenceEntry(
        text=insight.get("content") or "", quote=quote, transcript_id=utterance.transcript_id
    )


def generate_scorecard_sync(context: ScorecardContext) -> ScorecardDraft:
    msgs = load_rules(context.language)["messages"]
    insights = [
        i
        for i in context.insights
        if isinstance(i, dict)
        and i.get("topic") != PROTECTED_QUESTION_TOPIC
        and not i.get("dismissed")
    ]
    state = context.state if isinstance(context.state, dict) else {}
    if not state.get("samples") and not state.get("scores"):
        state, replayed = _replay(context)
        if not insights:
            insights = [i for i in replayed if i.get("topic") != PROTECTED_QUESTION_TOPIC]
    running = state.get("scores") or {}
    scores: dict[str, int | None] = {}
    for dim in DIMENSIONS:
        value = running.get(dim)
        scores[dim] = int(value) if isinstance(value, int | float) and 1 <= value <= 10 else None
    if all(v is None for v in scores.values()):
        # No evidence at all (nothing was said): a neutral mid score on the two
        # dimensions every conversation shows, rather than an invalid scorecard.
        scores["communication"] = scores["attitude"] = 5

    weights = (context.requirements or {}).get("weights") or {}
    total = weight_sum = 0.0
    for dim, value in scores.items():
        if value is None:
            continue
        weight = weights.get(dim, 1) if isinstance(weights.get(dim, 1), int | float) else 1
        total += value * weight
        weight_sum += weight
    overall = total / weight_sum if weight_sum else 5.0

    green = [i for i in insights if i.get("type") == "green-flag"]
    red = [i for i in insights if i.get("type") == "red-flag"]
    contradictions = [i for i in insights if i.get("type") == "contradiction"]
    problems = len(red) + len(contradictions)
    if overall < 5.5 or len(contradictions) >= 2 or (problems >= 3 and problems > 2 * len(green)):
        verdict = "no_hire"
    elif (
        overall >= 7
        and not contradictions
        and len(green) >= 2
        and len(red) <= max(1, len(green) // 2)
    ):
        verdict = "hire"
    else:
        verdict = "maybe"
    justification = msgs[f"verdict_{verdict}"].format(
        overall=_fmt(round(overall, 1), context.language),
        green=len(green),
        red=len(red),
        contradictions=len(contradictions),
    )

    by_id = {u.transcript_id: u for u in context.utterances}
    strengths = [e for e in (_evidence_entry(i, context.utterances, by_id) for i in green) if e][:5]
    weaknesses = [
        e
        for e in (_evidence_entry(i, context.utterances, by_id) for i in contradictions + red)
        if e
    ][:5]
    names = msgs["dimension_names"]
    score_text = ", ".join(f"{names[d]} {v}" for d, v in scores.items() if v is not None)
    summary = msgs["summary"].format(
        name=context.candidate_name or "-",
        answers=sum(1 for u in context.utterances if u.role == "guest"),
        scores=score_text,
        strengths=len(strengths),
        weaknesses=len(weaknesses),
    )
    if scores["english"] is None:
        summary += " " + msgs["summary_english_none"]
    return ScorecardDraft(
        scores=scores,
        verdict=verdict,
        justification=justification,
        strengths=strengths,
        weaknesses=weaknesses,
        summary=summary,
    )


# ---------------------------------------------------------------------- provider


class BuiltinProvider:
    """The offline default provider (`AI_PROVIDERS=builtin`)."""

    name = "builtin"

    async def analyze_chunk(self, context: ChunkContext) -> ChunkAnalysis:
        return analyze(context)

    async def detect_roles(self, utterances: list[Utterance], language: str) -> RolesGuess | None:
        return detect_roles_sync(utterances, language)

    async def generate_scorecard(self, context: ScorecardContext) -> ScorecardDraft:
        return generate_scorecard_sync(context)
