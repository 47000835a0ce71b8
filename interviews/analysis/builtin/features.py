"""What an answer contains: specifics, figures, tools, actions, hedges and deflections;
and the English level of a passage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

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
# Talk of habits, others and the impersonal "uno"/"se" this many times, with
# nothing concrete, counts as one hedge more.
GENERIC_DEFLECTIONS = 2
# A self-assessment of a language level under this many words is not judged vague.
LANGUAGE_SELF_ASSESSMENT_WORDS = 25
# A sentence ending in "?" is a question put back only with this many words.
MIN_QUESTION_WORDS = 3


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
    # How people speak, beyond word lists (see the rules files for each list):
    own_actions: int = 0  # first person singular, past: "propuse", "I rewrote"
    plans: int = 0  # planned own actions in a design answer: "guardaría", "I'd keep"
    trade_offs: int = 0
    reasons: int = 0
    anchors: int = 0  # moments in the past: "el mes pasado", "last month"
    gap: bool = False  # "no lo he usado", "I only know a little"
    generalities: int = 0  # stock statements of importance, belief, habit
    asks_back: bool = False  # the answer puts a question to the interviewer
    asks_about_them: bool = False  # ... about their company, team or role
    direct: bool = False  # opens with yes or no
    deflections: int = 0  # habits, circumstances, other people
    instance_question: bool = False  # the host asked for an example, what they did
    logistics_question: bool = False  # schedule, place, notice, pay
    refers_back: bool = False  # the host asks about something said earlier
    opens_with_question: bool = False  # the answer starts by asking something back
    quantity_question: bool = False  # the host asked how many, how much, how long
    quantity_last: bool = False  # ... in the last thing they asked (not a task's data)
    asked: bool = False  # the host's turn asks something (not only a statement)
    invited_questions: bool = False  # "¿tenés alguna pregunta?": questions welcome
    reason_question: bool = False  # "why", "¿por qué?": circumstances answer it
    language_question: bool = False  # about a language the candidate speaks

    @property
    def specifics(self) -> int:
        return self.numbers + len(self.tools) + self.proper_nouns + self.anchors

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
            + min(self.trade_offs, 2)
        )

    @property
    def evasive(self) -> bool:
        return (
            # "Depende", "no me acuerdo": evasive unless an own action follows.
            (
                bool(self.evasions)
                and not self.gap
                and self.metrics == 0
                and self.specifics <= 2
                and self.own_actions == 0
            )
            or self.deflected
            or self.unanswered
        )

    @property
    def unanswered(self) -> bool:
        """The shape of the question left unfilled: asked how many or how much, the
        answer gives no figure and talks round it ("a veces más, a veces menos");
        or it opens by asking something back and then says nothing of its own (no
        action, no figure). A plain "no" or "I have not" is an answer."""
        if self.gap or self.direct or self.own_actions or self.metrics or self.numbers:
            return False
        talk_round = self.deflections + len(self.evasions) + len(self.hedges)
        if self.quantity_question and self.words >= 6 and talk_round >= 1:
            return True
        if self.quantity_last and self.words >= 20 and self.specifics <= 1 and self.plans == 0:
            return True  # a figure asked for, a paragraph with none given
        if (
            self.asks_about_them
            and self.asked
            and not self.invited_questions
            and self.metrics == 0
            and self.results == 0
            and self.plans == 0
            and self.specifics <= 2
        ):
            # "¿Y ustedes cómo manejan los cambios de alcance?": the question turned
            # back to the company with nothing of the candidate's own said.
            return True
        return (
            self.opens_with_question
            and self.asked
            and not self.invited_questions
            and self.words >= 12
            and self.results == 0
            # "¿Te refieres a producción? Usaría Helm...": a clarification, then
            # an answer.
            and self.plans == 0
            and self.specifics <= 1
        )

    @property
    def deflected(self) -> bool:
        """Asked for their own instance (an example, what they did or decided, a
        mistake), the candidate talks of habits, circumstances or other people and
        names no action of their own: the question was not answered. Saying plainly
        that they have not done it, answering yes or no, or asking back is no
        deflection."""
        return (
            self.instance_question
            and not self.reason_question
            and not self.gap
            and not self.direct
            and not self.asks_back
            and self.own_actions == 0
            and self.results == 0
            and self.metrics <= 1
            # "Migramos el monolito a Kotlin con Gradle": concrete work told as
            # "we" is an answer, not talk of the team.
            and not (self.actions >= 2 and self.specifics >= 2)
            # "La mitad sí: el cliente de la API y los tests; el resto, una
            # compañera": naming what was theirs answers the question.
            and not (self.deflections <= 2 and self.specifics >= 2)
            # More talk of habits and others than hedging about oneself: an answer
            # that is mostly "I guess, the usual" is vague, not a deflection; a
            # paragraph about the team, the company or the trade with nothing of
            # one's own in it is one, however it hedges.
            and (
                self.deflections + len(self.evasions) > len(self.hedges)
                or (
                    self.words >= 30
                    and self.deflections >= 1
                    and self.specifics <= 2
                    and self.plans == 0
                )
            )
        )

    @property
    def vague(self) -> bool:
        if self.evasive or self.strong:
            return False
        if self.gap or self.asks_back or self.logistics_question or self.refers_back:
            # An honest "I have not used it", a question back, an answer about
            # logistics or a clarification of an earlier claim: not vagueness.
            return False
        if self.direct and self.specifics >= 1 and len(self.hedges) <= 2:
            return False  # "sí, usamos RICE": the closed question is answered
        if self.language_question and self.words < LANGUAGE_SELF_ASSESSMENT_WORDS:
            return False  # "lo leo, hablarlo me cuesta más": a level, said plainly
        hedges = len(self.hedges) + self.self_praise
        if self.generic:
            hedges += 1
        if self.generalities >= 2:
            # "Para mí es fundamental... la clave es... siempre trato de...": a
            # string of stock statements is a generality, however long.
            hedges += self.generalities - 1
        # A long answer says more than its one "a couple of things": it needs a
        # hedge per VAGUE_WORDS_PER_HEDGE words to be vague.
        needed = 1 + self.words // VAGUE_WORDS_PER_HEDGE
        return hedges >= needed and self.metrics == 0 and self.specifics <= 1

    @property
    def generic(self) -> bool:
        """Habits and impersonal talk ("uno siempre trata de", "es importante que",
        "se prioriza") with nothing concrete and no own action: a generality."""
        return (
            self.deflections >= GENERIC_DEFLECTIONS
            and self.specifics == 0
            and self.metrics == 0
            and self.own_actions == 0
        )

    @property
    def strong(self) -> bool:
        # A strong answer reports an outcome (a measured result or a result phrase),
        # not only a career summary full of tools and dates.
        # It says what the candidate did (or would do, in a design answer) or weighs
        # options: a volume or a date alone is a fact, not an answer's substance.
        if self.evasive or self.gap or self.logistics_question:
            return False
        if (
            self.plans >= 2
            and self.words >= 60
            and self.reasons + self.trade_offs >= 1
            and len(self.hedges) <= 1
        ):
            return True
        return (
            self.words >= 12
            and self.strength_points >= STRONG_POINTS
            and len(self.hedges) <= 2
            and (
                self.results > 0
                or self.trade_offs > 0
                or (self.metrics > 0 and self.actions + self.plans > 0)
            )
        )


# A capitalised word after a space that does not start a sentence: part of a name.
_INNER_NAMES = re.compile(r"(?<![.!?\u00bf\u00a1]\s)(?<=\s)[A-Z\u00c0-\u00de][\w\u00c0-\u00ff-]+")
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
def _duration_rules(language: str) -> tuple[re.Pattern, frozenset[str]]:
    rules = load_rules(language)["strong"]
    return re.compile(rules["duration_context"]), frozenset(rules["time_units"])


def _count_metrics(folded: str, language: str) -> int:
    """Measured results: a number with a unit, a change from one figure to another.
    A time after "estuve", "lo usé", "for", "spent" ("estuve seis meses") is how
    long someone stayed somewhere, and "two years ago" is a date: not results."""
    units_rx, *others = _metric_patterns(language)
    context, time_units = _duration_rules(language)
    count = sum(len(rx.findall(folded)) for rx in others)
    for m in units_rx.finditer(folded):
        unit = m.group(0).split()[-1] if " " in m.group(0) else ""
        if unit in time_units and (
            context.search(folded[max(0, m.start() - 40) : m.start()])
            or re.match(r"\s+(?:ago|atras)\b", folded[m.end() :])
        ):
            continue
        count += 1
    return count


@lru_cache(maxsize=8)
def _speech_patterns(language: str) -> dict[str, tuple[re.Pattern, ...]]:
    rules = load_rules(language)
    return {
        "anchors": tuple(re.compile(p) for p in rules["strong"]["time_anchors"]),
        "partial_memory": tuple(re.compile(p) for p in rules["evasive"]["partial_memory"]),
        "direct": tuple(re.compile(p) for p in rules["evasive"]["direct_answer"]),
        "plan": (re.compile(rules["strong"]["plan"]),),
        "enumerator": (re.compile(rules["vague"]["enumerator"]),),
        "refers_back": tuple(re.compile(p) for p in rules["questions"]["refers_back"]),
        "instance": tuple(re.compile(p) for p in rules["evasive"]["instance_pattern"]),
        "quantity": tuple(re.compile(p) for p in rules["evasive"]["quantity_question"]),
        "justifying": tuple(re.compile(p) for p in rules["evasive"]["justifying"]),
        "about_them": tuple(re.compile(p) for p in rules["vague"]["about_them"]),
        "generality": tuple(re.compile(p) for p in rules["vague"]["generality"]),
        "language_level": tuple(re.compile(p) for p in rules["questions"]["language_level"]),
    }


def _listing_hedges(hedges: list[str], folded: str, language: str) -> list[str]:
    """The noun hedges ("cosas", "things") every use of which introduces a list
    ("things like card schemes", "un par de cosas: el volumen..."): those name
    things, so they are not hedges."""
    enumerable = {fold(h) for h in load_rules(language)["vague"]["enumerable"]}
    (enumerator,) = _speech_patterns(language)["enumerator"]
    listing = []
    for hedge in hedges:
        if fold(hedge) not in enumerable:
            continue
        uses = list(re.finditer(r"(?<!\w)" + re.escape(fold(hedge)) + r"(?!\w)", folded))
        if uses and all(enumerator.match(folded, m.end()) for m in uses):
            listing.append(hedge)
    return listing


def is_question(sentence: str) -> bool:
    """A sentence that asks something of three words or more. The asking part is what
    follows the last "¿" (or, without one, the last comma): "se hace así, ¿no?",
    "¿sabes?", "that's the idea, right?" are tags on a statement, not questions."""
    stripped = sentence.strip()
    if not (stripped.endswith("?") or stripped.startswith("\u00bf")):
        return False
    mark = stripped.rfind("\u00bf")
    asking = stripped[mark:] if mark >= 0 else stripped.rsplit(",", 1)[-1]
    return len(words_of(fold(asking))) >= MIN_QUESTION_WORDS


def _count_plans(folded: str, language: str) -> int:
    (plan,) = _speech_patterns(language)["plan"]
    excluded = _not_plans(language)
    return len({m.group(0) for m in plan.finditer(folded) if m.group(0) not in excluded})


@cache
def _not_plans(language: str) -> frozenset[str]:
    """Words the plan pattern finds that are no plan, folded."""
    return frozenset(fold(w) for w in load_rules(language)["strong"]["not_plan"])


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


_ES_FIRST_SINGULAR = re.compile(r"(?<!\w)[a-zñáéíóú]{3,}(?:é|í)(?!\w)")
_ES_FIRST_SINGULAR_LISTED = frozenset(
    {"propuse", "introduje", "reduje", "hice", "puse", "traje", "supe", "dije", "meti"}
)


@cache
def _not_actions() -> frozenset[str]:
    """Spanish preterites that are not a candidate's own action, folded."""
    return frozenset(fold(w) for w in load_rules("es")["strong"]["not_actions"])


@cache
def _counted_number_words(language: str) -> frozenset[str]:
    """Number words that count as a number in an answer ("one" / "uno" do not)."""
    words = load_rules(language)["numbers"]["words"]
    return frozenset(fold(w) for w in words if w not in ARTICLES) - {"one", "uno"}


def _count_actions(text: str, folded: str, language: str, *, own: bool = False) -> int:
    """First-person actions; with `own`, only the singular ones ("propuse", "I
    rewrote", not "we"): what the candidate did themselves."""
    found = set()
    for m in _action_pattern(language).finditer(folded):
        if not own or m.group(0).startswith("i "):
            found.add(m.group(0))
    if language == "es":
        excluded = _not_actions()
        if own:
            found = {w for w in found if w in _ES_FIRST_SINGULAR_LISTED}
        pattern = _ES_FIRST_SINGULAR if own else _ES_PRETERITE
        for m in pattern.finditer(text.lower()):
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
    metrics = _count_metrics(folded, language)
    metrics += len(_PERCENT.findall(folded)) + len(_MONEY.findall(folded))
    metrics += len(_BIG_NUMBER.findall(folded))
    number_words = _counted_number_words(language)
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

    def asked(key: str, section: str = "questions") -> bool:
        return bool(phrases_in(qfolded, language, section, key))

    speech = _speech_patterns(language)
    hedges = phrases_in(folded, language, "vague", "phrases", original=text)
    listing = _listing_hedges(hedges, folded, language)
    hedges = [h for h in hedges if h not in listing]
    # "No me acuerdo el número exacto" after an answer is a detail forgotten.
    # Only when something was answered: an own action, a specific, a guess.
    remembered = folded
    if (
        _count_actions(text, folded, language)
        or tools
        or proper
        or _DIGITS.search(folded)
        or count("tentative", "evasive")
    ):
        for rx in speech["partial_memory"]:
            remembered = rx.sub(" ", remembered)
    evasions = phrases_in(remembered, language, "evasive", "phrases")
    opening = re.sub(r"^[^\w¿¡]+", "", folded)
    # A question of three words or more: "¿sabes?", "¿me explico?", "you know?" are
    # tags on a statement, not questions put to the interviewer.
    asked_back = [s for s in sentences(text) if is_question(s)]
    asks_back = bool(count("question_back", "vague")) or bool(asked_back)
    asks_about_them = any(
        rx.search(folded_question)
        for folded_question in map(fold, asked_back)
        for rx in speech["about_them"]
    )
    said = [s for s in sentences(text) if len(words_of(fold(s))) >= MIN_QUESTION_WORDS]
    opens_with_question = bool(asked_back) and bool(said) and said[0] == asked_back[0]
    direct = any(rx.match(opening) for rx in speech["direct"]) and not any(
        rx.match(opening) for rx in speech["justifying"]
    )
    return AnswerFeatures(
        language=language,
        words=len(words),
        hedges=hedges,
        evasions=evasions,
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
        own_actions=_count_actions(text, folded, language, own=True),
        plans=_count_plans(folded, language),
        trade_offs=count("trade_off"),
        reasons=count("reasons"),
        anchors=sum(len(rx.findall(folded)) for rx in speech["anchors"]),
        gap=bool(count("gap", "vague")),
        asks_back=asks_back,
        asks_about_them=asks_about_them,
        generalities=sum(len(rx.findall(folded)) for rx in speech["generality"]),
        direct=direct,
        deflections=count("deflection", "evasive"),
        instance_question=asked("instance_question", "evasive")
        or any(rx.search(qfolded) for rx in speech["instance"]),
        # A company's name ("Viajes Brisa", "Remote Labs") is no question about travel
        # or remote work: capitalised words inside a sentence are left out.
        logistics_question=bool(
            phrases_in(
                fold(_INNER_NAMES.sub(" ", question or "")), language, "questions", "logistics"
            )
        ),
        refers_back=any(rx.search(qfolded) for rx in speech["refers_back"]),
        opens_with_question=opens_with_question,
        quantity_question=any(rx.search(qfolded) for rx in speech["quantity"]),
        # "Tenemos una tabla... cuántos días de mora... ¿Cómo lo harías?": the figure
        # is the exercise's, the question is how.
        quantity_last=any(
            rx.search(fold((sentences(question or "") or [""])[-1])) for rx in speech["quantity"]
        ),
        asked="?" in qfolded
        or "\u00bf" in qfolded
        or asked("instance_question", "evasive")
        or asked("technical_question", "dimensions")
        or bool(catalogue.keys_in(qfolded)),
        invited_questions=asked("invites_questions"),
        reason_question=asked("reason"),
        language_question=any(rx.search(qfolded) for rx in speech["language_level"]),
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


# Speech in fragments: at least this many hesitations, one per this many words.
MIN_HESITATIONS = 3
HESITATION_WORDS = 12
# Sustained speech with no mistake and few hesitations is itself fluency.
SUSTAINED_WORDS = 60


def english_level(text: str) -> tuple[int, list[str], bool, int]:
    """An estimate 1-10 of the English in `text`: (score, mistakes, self-doubt, fluency)."""
    rules = load_rules("en")["english"]
    folded = fold(text)
    errors = [p for p in rules["errors"] if re.search(p, folded)]
    self_low = any(fold(p) in folded for p in rules["self_low"])
    fluency = len(phrases_in(folded, "en", "english", "fluency"))
    words = len(words_of(folded))
    hesitations = len(re.findall(rules["hesitations"], folded))
    fragmented = hesitations >= MIN_HESITATIONS and hesitations * HESITATION_WORDS >= words
    score = 6.0 + 0.75 * min(fluency, 4) - 1.5 * min(len(errors), 3)
    if self_low:
        score -= 2
    if fragmented:
        score -= 1.5
    if words >= 18 and not errors:
        score += 1
    if words >= SUSTAINED_WORDS and not errors and not fragmented:
        score += 1
    if words < 8:
        score -= 1
    # Twenty words said in English communicate something, whatever the mistakes;
    # fifty are understandable speech (the rubric's 5 is "understandable with errors").
    floor = 4 if words >= 50 else 3 if words >= 20 else 1
    return max(floor, min(10, int(score + 0.5))), errors, self_low, fluency
