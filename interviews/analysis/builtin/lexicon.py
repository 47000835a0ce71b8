"""Word lists and patterns: the rules files (`rules/<language>.toml`, `rules/common.toml`),
phrase matching, numbers, claim patterns, and telling the language of a text."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from candidates.skills import strip_accents

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
AMBIGUOUS_SPELLINGS = frozenset(
    {"go", "ia", "ml", "pg", "ts", "js", "net", "node", "vue", "rest", "next"}
)


# --------------------------------------------------------------------------- rules


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, accents stripped, curly quotes straightened, spaces collapsed.

    Cached: an answer's sentences and the rules' phrases are folded again by each
    rule that reads them (about 75 calls per question and answer), and accents are
    stripped character by character."""
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


def _phrase_body(phrase: str) -> str:
    """A phrase's regex after its leading word boundary."""
    # "ahorr*" is a stem (ahorramos, ahorro); anything else is a whole phrase.
    # A phrase written with accents ("no sé") keeps them: it is matched against the
    # accented text, since folding would confuse it with "no se fue nadie".
    phrase = phrase.lower() if _is_accented(phrase) else fold(phrase)
    if phrase.endswith("*"):
        return re.escape(phrase[:-1])
    return re.escape(phrase) + r"(?!\w)"


def _phrase_regex(phrase: str) -> str:
    return r"(?<!\w)" + _phrase_body(phrase)


def _is_accented(phrase: str) -> bool:
    return fold(phrase) != phrase.lower()


@lru_cache(maxsize=512)
def phrase_patterns(language: str, section: str, key: str) -> tuple[tuple[str, re.Pattern], ...]:
    phrases = load_rules(language).get(section, {}).get(key, [])
    return tuple((p, re.compile(_phrase_regex(p))) for p in phrases)


@lru_cache(maxsize=512)
def _patterns_with_accents(
    language: str, section: str, key: str
) -> tuple[tuple[str, re.Pattern, bool], ...]:
    # Whether a phrase is written with accents is a property of the rules, worked
    # out once: folding every phrase on every call was a third of the built-in
    # provider's CPU under py-spy at 100 answers a second.
    return tuple((p, rx, _is_accented(p)) for p, rx in phrase_patterns(language, section, key))


@lru_cache(maxsize=512)
def _any_phrase(language: str, section: str, key: str) -> tuple[re.Pattern | None, ...]:
    """One regex per rules list (plain phrases, accented phrases) that matches where
    any of its phrases does: most lists match nothing in a given answer, and one
    search says so where one per phrase did (half of the built-in provider's time
    was these searches)."""
    parts: tuple[list[str], list[str]] = ([], [])
    for phrase, _rx, accented in _patterns_with_accents(language, section, key):
        parts[accented].append(_phrase_body(phrase))
    # The word boundary once, in front: before every alternative it kept the regex
    # engine from skipping ahead to where a phrase could start (11x slower).
    return tuple(
        re.compile(r"(?<!\w)(?:" + "|".join(part) + ")") if part else None for part in parts
    )


def phrases_in(
    text: str, language: str, section: str, key: str, *, original: str = ""
) -> list[str]:
    """The distinct phrases of a rules list that occur in folded `text`.

    Accented phrases are looked for in `original` (lower-cased) when it is given.
    """
    any_plain, any_accented = _any_phrase(language, section, key)
    plain_hit = any_plain is not None and any_plain.search(text) is not None
    accented_text = text
    if any_accented is not None and original:
        accented_text = unicodedata.normalize("NFC", original).lower()
    accented_hit = any_accented is not None and any_accented.search(accented_text) is not None
    if not (plain_hit or accented_hit):
        return []
    return [
        p
        for p, rx, accented in _patterns_with_accents(language, section, key)
        if (accented_hit if accented else plain_hit)
        and rx.search(accented_text if accented else text)
    ]


@cache
def number_alternation(language: str, *, articles: bool) -> str:
    words = load_rules(language)["numbers"]["words"]
    names = sorted(
        (fold(w) for w in words if articles or w not in ARTICLES), key=lambda w: (-len(w), w)
    )
    return r"\d+(?:[.,]\d+)?|" + "|".join(re.escape(n) for n in names)


@cache
def _number_words(language: str) -> dict[str, float]:
    return {fold(k): v for k, v in load_rules(language)["numbers"]["words"].items()}


def parse_number(text: str, language: str) -> float | None:
    text = fold(text).strip()
    words = _number_words(language)
    if text in words:
        return float(words[text])
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def alternation(names: list[str]) -> str:
    unique = sorted(set(names), key=lambda n: (-len(n), n))
    return "|".join(re.escape(n) for n in unique)


# Live interviews whose compiled rules a process keeps. Rules that name skills or
# employers are compiled per interview (its requirements and CV); they were cached
# per rules list, 1,024 lists in all, which 19 claim lists per interview used up at
# about 50 live interviews: from there on nearly every answer compiled its claim
# patterns again (`bench/pass_cpu.py --interviews 100`: 53% misses, 49 against 23 ms
# of CPU per question and answer). An interview's compiled claims take about
# 250 KiB per language, so 256 interviews keep at most some 64 MiB.
LIVE_INTERVIEWS_CACHED = 256


@lru_cache(maxsize=LIVE_INTERVIEWS_CACHED)
def _claim_lists(language: str, skill_alt: str, company_alt: str) -> dict:
    """One interview's compiled claim lists, filled as its answers need them."""
    return {}


def claim_patterns(
    language: str, section: str, key: str, skill_alt: str, company_alt: str
) -> tuple[re.Pattern, ...]:
    """A rules list of regexes with its placeholders filled in and compiled (kept
    per interview's skills and employers, so one interview's lists are evicted
    together, least recently used interview first)."""
    lists = _claim_lists(language, skill_alt, company_alt)
    compiled = lists.get((section, key))
    if compiled is None:  # two threads may both compile it: the same result
        compiled = lists[(section, key)] = _compile_claims(
            language, section, key, skill_alt, company_alt
        )
    return compiled


def _compile_claims(
    language: str, section: str, key: str, skill_alt: str, company_alt: str
) -> tuple[re.Pattern, ...]:
    rules = load_rules(language)
    num = number_alternation(language, articles=True)
    metric_num = number_alternation(language, articles=False)
    years = (
        rf"(?P<n>{num})\s+(?:{rules['numbers']['years_word']})"
        rf"(?P<half>\s+{rules['numbers']['half']})?"
    )
    months = rules["numbers"].get("months_word", "(?!x)x")
    duration = (
        rf"(?P<n>{num})\s+(?P<unit>{rules['numbers']['years_word']}|{months})(?!\w)"
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
            .replace("{duration}", duration)
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
def stopwords(language: str) -> frozenset[str]:
    return frozenset(fold(w) for w in load_rules(language)["language"]["stopwords"])


_WORD = re.compile(r"[\w'+#.-]+")
_SPANISH_MARKS = re.compile(r"[áéíóúñ¿¡]", re.IGNORECASE)


def words_of(folded: str) -> list[str]:
    return [w.strip(".'-") for w in _WORD.findall(folded) if w.strip(".'-")]


def detect_language(text: str, default: str) -> str:
    """The language a chunk is spoken in; `default` when it is too short to tell."""
    tokens = words_of(fold(text))
    es = sum(1 for t in tokens if t in stopwords("es"))
    en = sum(1 for t in tokens if t in stopwords("en"))
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


def with_replacements(folded: str, language: str) -> str:
    for old, new in load_rules(language)["numbers"].get("replace", []):
        folded = folded.replace(old, new)
    return folded


# --------------------------------------------------------------------- small talk

# A turn is small talk when, once greetings, thanks and logistics are taken out,
# at most this many content words remain, and it is not long.
SMALL_TALK_MAX_CONTENT_WORDS = 3
SMALL_TALK_MAX_WORDS = 30
# ...or when it is mostly pleasantries: this many of them, and few other words.
SMALL_TALK_MANY_PHRASES = 3
SMALL_TALK_MAX_CONTENT_WITH_MANY = 6


def is_small_talk(text: str) -> bool:
    """Greetings, thanks, logistics, pleasantries ("¿me escuchás?", "tenía muchas
    ganas de hablar con vosotros", "Sure."): not an answer and not a question, so
    nothing is judged on it, in either language."""
    folded = fold(text)
    tokens = words_of(folded)
    if not tokens:
        return True
    if len(tokens) > SMALL_TALK_MAX_WORDS:
        return False
    rest = re.sub(r"[^\w' ]+", " ", folded)
    if not _any_small_talk().search(rest):
        return False  # one search instead of one substitution per phrase
    matched = 0
    for rx in _small_talk_patterns():
        rest, n = rx.subn(" ", rest)
        matched += n
    if not matched:
        return False
    content = [
        t
        for t in words_of(rest)
        if t not in stopwords("es") and t not in stopwords("en") and not t.isdigit()
    ]
    if len(content) <= SMALL_TALK_MAX_CONTENT_WORDS:
        return len(content) < len(tokens)
    return (
        matched >= SMALL_TALK_MANY_PHRASES
        and len(content) <= SMALL_TALK_MAX_CONTENT_WITH_MANY
        and not re.search(r"\d", rest)
        and not (set(content) & _specific_words())
    )


@cache
def _small_talk_patterns() -> tuple[re.Pattern, ...]:
    # Longest first: "gracias a vos" before "gracias".
    found = [pair for lang in LANGUAGES for pair in phrase_patterns(lang, "smalltalk", "phrases")]
    return tuple(rx for _, rx in sorted(found, key=lambda pair: (-len(pair[0]), pair[0])))


@cache
def _any_small_talk() -> re.Pattern:
    bodies = {
        _phrase_body(p)
        for lang in LANGUAGES
        for p, _rx in phrase_patterns(lang, "smalltalk", "phrases")
    }
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(bodies)) + ")")


@cache
def _specific_words() -> frozenset[str]:
    """Words that make a turn say something: technologies and numbers."""
    words = {fold(t) for t in common_rules()["tech"]["terms"] if " " not in t}
    for language in LANGUAGES:
        words |= {fold(w) for w in load_rules(language)["numbers"]["words"] if len(w) > 2}
    return frozenset(words)
