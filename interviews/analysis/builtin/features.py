"""What an answer contains: specifics, figures, tools, actions, hedges and deflections;
and the English level of a passage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from interviews.analysis.builtin.cv import (
    SkillCatalogue,
)
from interviews.analysis.builtin.lexicon import (
    ARTICLES,
    STRONG_POINTS,
    claim_patterns,
    fold,
    load_rules,
    number_alternation,
    phrases_in,
    sentences,
    stopwords,
    words_of,
)

# ---------------------------------------------------------------- answer features

VAGUE_WORDS_PER_HEDGE = 60


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
        # A long answer says more than its one "a couple of things": it needs a
        # hedge per VAGUE_WORDS_PER_HEDGE words to be vague.
        needed = 1 + self.words // VAGUE_WORDS_PER_HEDGE
        return hedges >= needed and self.metrics == 0 and self.specifics <= 1

    @property
    def strong(self) -> bool:
        # A strong answer reports an outcome (a measured result or a result phrase),
        # not only a career summary full of tools and dates.
        return (
            not self.evasive
            and self.words >= 12
            and self.strength_points >= STRONG_POINTS
            and len(self.hedges) <= 2
            and (self.metrics > 0 or self.results > 0)
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
    metric_num = number_alternation(language, articles=False)
    units = "|".join(re.escape(fold(u)) for u in rules["units"])
    from_to = claim_patterns(language, "strong", "from_to", "", "")
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
    stop = stopwords(language) | stopwords("es") | stopwords("en")
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


def best_sentence(text: str, language: str, section: str, key: str) -> str:
    """The sentence of `text` that holds most of a rules list: the evidence to quote."""
    best, best_hits = None, 0
    for sentence in sentences(text):
        hits = len(phrases_in(fold(sentence), language, section, key, original=sentence))
        if hits > best_hits:
            best, best_hits = sentence, hits
    return best or (sentences(text) or [text.strip()])[0]


def strongest_sentence(text: str, language: str, catalogue: SkillCatalogue) -> str:
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
