"""Claims a candidate makes about years, skills, leading people and employers, and
their contradictions with earlier claims and with the CV."""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviews.analysis.base import ChunkContext
from interviews.analysis.builtin.cv import (
    SkillCatalogue,
    cv_years,
    different,
    fmt,
    start_year,
    tenure_years,
)
from interviews.analysis.builtin.lexicon import (
    MIN_YEARS_RATIO,
    alternation,
    claim_patterns,
    common_rules,
    fold,
    load_rules,
    parse_number,
    sentences,
    stopwords,
    with_replacements,
)

# ------------------------------------------------------------------------ claims

# An employer named in an answer but not on the CV ("antes estuve en Antel", "I was
# at Tesco before that"): a capitalised name after a verb of working there, so a
# time said there can be held against a time said later ("en Power BI" is a tool).
_NAMED_EMPLOYER = re.compile(
    r"(?i:estuv[eo]|estaba|trabaj[eéoó]|trabajaba|entr[eéoó]|labur[eéoó]|laburaba|pas[eéoó]"
    r"|empec[eé]|arranqu[eé]|worked|working|was|joined|started|spent)"
    r"(?:\s+[\w,]+){0,4}?\s+(?i:en|at|with|for)\s+(?:el |la |los |the )?"
    r"(?P<name>[A-Z\u00c0-\u00de][\w&'.-]{2,}(?:\s+(?:de |del |y |& )?[A-Z\u00c0-\u00de][\w&'.-]+){0,3})"
)


def named_employers(text: str, catalogue: SkillCatalogue | None = None) -> list[str]:
    """Employers an answer names that may not be on the CV, as said: not a month or
    a day (common.toml), nor a skill the catalogue knows ("worked with Kafka")."""
    not_names = frozenset(common_rules()["employers"]["not_names"])
    names = (m.group("name").rstrip(".'-") for m in _NAMED_EMPLOYER.finditer(text))
    return [
        name
        for name in names
        if len(name) >= 3
        and fold(name) not in not_names
        and not (catalogue and catalogue.keys_in(fold(name)))
    ]


@dataclass
class Claim:
    kind: str  # years_total | skill_years | skill_use | lead | company_years | company_never | solo
    sentence: str  # the original sentence: verbatim evidence
    value: float | None = None
    subject: str = ""  # skill key or folded company
    polarity: int = 1


_NEGATION = {
    "es": re.compile(r"(?<!\w)(?:no|nunca|jamas|ni)(?!\w)"),
    "en": re.compile(r"(?<!\w)(?:never|not|no)(?!\w)|n't\b"),
}


# Fillers and approximations that speech puts between the words of a claim
# ("estuve... pues cuatro años", "I was there, like, about three years"): taken out
# before claims are read. The approximations only before a number.
_FILLERS = {
    "es": re.compile(
        r"\.{2,}|\u2026|(?<!\w)(?:pues|eh+|em+|mm+|o sea|digamos|viste|este,|bueno,)(?!\w),?"
        r"|(?<!\w)(?:como|mas o menos|aproximadamente|alrededor de)(?= (?:un|una|\d|dos|tres|cuatro"
        r"|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte)\b)"
    ),
    "en": re.compile(
        r"\.{2,}|\u2026|(?<!\w)(?:uh+|um+|er+|like,|you know,|i mean,)(?!\w),?"
        r"|(?<!\w)(?:like|roughly|approximately)(?= (?:a|an|one|two|three|four|five|six|seven"
        r"|eight|nine|ten|\d)\b)"
    ),
}


def _without_fillers(folded: str, language: str) -> str:
    rx = _FILLERS.get(language)
    return re.sub(r"\s{2,}", " ", rx.sub(" ", folded)).strip() if rx else folded


def _spoken_sentences(text: str) -> list[str]:
    """Sentences, with a trailing-off ("estuve... pues cuatro años") joined to what
    follows in lower case: one sentence spoken with a pause. Each stays verbatim."""
    out: list[str] = []
    for sentence in sentences(text):
        if out and out[-1].endswith(("...", "\u2026")) and sentence[:1].islower():
            joined = f"{out[-1]} {sentence}"
            if joined in text:
                out[-1] = joined
                continue
        out.append(sentence)
    return out


def read_claims(
    text: str,
    language: str,
    catalogue: SkillCatalogue,
    companies: dict[str, dict],
    question: str | None = None,
) -> list[Claim]:
    """Claims stated in a chunk, sentence by sentence. A time said without an
    employer is about the one named last, in the answer or in the question ("¿cuánto
    estuviste en X?" "Estuve dos años")."""
    skill_alt = catalogue.alternation
    company_alt = alternation(list(companies))
    claims: list[Claim] = []

    def patterns(key: str) -> tuple[re.Pattern, ...]:
        return claim_patterns(language, "claims", key, skill_alt, company_alt)

    months_rx = re.compile(load_rules(language)["numbers"].get("months_word", "(?!x)x"))

    def years_of(match: re.Match) -> float | None:
        value = parse_number(match.group("n"), language)
        if value is not None and match.groupdict().get("half"):
            value += 0.5
        if value is not None and months_rx.fullmatch(match.groupdict().get("unit") or ""):
            value = round(value / 12, 2)
        return value

    company_rx = re.compile(rf"(?<!\w)(?:{company_alt})(?!\w)") if company_alt else None
    last_company = None  # the employer named last, for a time said without one
    if company_rx and question:
        asked_about = company_rx.findall(fold(question))
        last_company = asked_about[-1] if asked_about else None

    # Asked how long (at the employer the question names, or in all), the first
    # time the answer says is the answer, whatever verb carries it.
    def asks(key: str) -> bool:
        return bool(question) and any(rx.search(fold(question)) for rx in patterns(key))

    how_long = asks("duration_question")
    asked_total = how_long and not last_company and asks("experience_question")
    asked_company = last_company if how_long else None
    # Asked for the whole career, a time near an employer's name is the career's
    # ("desde que entré en Indra van para diez años").
    near = () if asked_total else patterns("company_years_near")
    for sentence in _spoken_sentences(text):
        folded = _without_fillers(with_replacements(fold(sentence), language), language)
        named = company_rx.findall(folded) if company_rx else []
        if (asked_company or asked_total) and not named:
            m = next((m for rx in patterns("duration_any") for m in [rx.search(folded)] if m), None)
            value = years_of(m) if m else None
            if value is not None:
                if asked_company:
                    claims.append(Claim("company_years", sentence, value, asked_company))
                else:
                    claims.append(Claim("years_total", sentence, value))
                asked_company = asked_total = None  # the first time only
        if not named and last_company:
            for rx in patterns("company_years_bare"):
                m = rx.search(folded)
                value = years_of(m) if m else None
                if value is not None:
                    claims.append(Claim("company_years", sentence, value, last_company))
                    break
        if named:
            last_company = named[-1]
        for rx in patterns("company_since"):
            for m in rx.finditer(folded):
                value = years_of(m)
                if value is not None:
                    claims.append(Claim("company_years", sentence, value, m.group("company")))
        if any(rx.search(folded) for rx in patterns("solo_negative")):
            claims.append(Claim("solo", sentence, None, "", -1))
        elif any(rx.search(folded) for rx in patterns("solo_positive")):
            claims.append(Claim("solo", sentence, None, "", 1))
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
        if any(rx.search(folded) for rx in patterns("hire_negative")):
            claims.append(Claim("hire", sentence, None, "", -1))
        elif any(rx.search(folded) for rx in patterns("hire_positive")):
            claims.append(Claim("hire", sentence, None, "", 1))
        for rx in patterns("company_start"):
            for m in rx.finditer(folded):
                claims.append(
                    Claim("company_start", sentence, float(m.group("year")), m.group("company"))
                )
        for rx in (*patterns("company_years"), *near):
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


def _apart(a: float, b: float) -> bool:
    """Two times at one employer that contradict each other: a year apart and half
    as much again ("seis meses" against a year and nine months is a contradiction,
    "cinco, casi seis" is not)."""
    return abs(a - b) >= 1.0 and (min(a, b) <= 0 or max(a, b) / min(a, b) >= MIN_YEARS_RATIO)


# A start year said a year off is memory; two years off contradicts the CV.
MIN_START_YEARS_APART = 2


_TOPIC_WORD = re.compile(r"[a-z]{5,}")


def _topic_words(text: str) -> set[str]:
    """Longer words that are not function words: what a piece of talk is about."""
    stop = stopwords("es") | stopwords("en")
    return {w for w in _TOPIC_WORD.findall(fold(text)) if w not in stop}


def check_claims(
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
    years_on_cv = cv_years(context.cv_data)
    found: list[tuple[str, Claim]] = []

    def previous(kind: str, subject: str = "") -> list[dict]:
        return [c for c in earlier if c["kind"] == kind and c.get("subject", "") == subject]

    claimed_totals = [c["value"] for c in earlier if c["kind"] == "years_total"]
    claimed_totals += [c.value for c in claims if c.kind == "years_total" and c.value]
    total = claimed_totals[-1] if claimed_totals else years_on_cv
    for claim in claims:
        name = catalogue.names.get(claim.subject, claim.subject)
        message = None
        if claim.kind == "years_total":
            before = next(
                (
                    c
                    for c in reversed(previous("years_total"))
                    if different(c["value"], claim.value)
                ),
                None,
            )
            if before:
                message = msgs["contradiction_years_claim"].format(
                    now=fmt(claim.value, lang), before=fmt(before["value"], lang)
                )
            elif years_on_cv is not None and different(years_on_cv, claim.value):
                message = msgs["contradiction_years_cv"].format(
                    now=fmt(claim.value, lang), cv=fmt(years_on_cv, lang)
                )
        elif claim.kind == "skill_years":
            before = next(
                (
                    c
                    for c in reversed(previous("skill_years", claim.subject))
                    if different(c["value"], claim.value)
                ),
                None,
            )
            if before:
                message = msgs["contradiction_skill_years_claim"].format(
                    now=fmt(claim.value, lang), before=fmt(before["value"], lang), skill=name
                )
            elif total is not None and claim.value > total + 1:
                message = msgs["contradiction_skill_years_total"].format(
                    now=fmt(claim.value, lang), total=fmt(total, lang), skill=name
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
        elif claim.kind in ("lead", "hire"):
            # "I led it" / "someone else led it", "I hired them" / "HR did": one
            # message per direction of the turn-around.
            if any(c["polarity"] == -claim.polarity for c in previous(claim.kind)):
                side = "negative" if claim.polarity < 0 else "positive"
                message = msgs[f"contradiction_{claim.kind}_{side}"]
        elif claim.kind == "company_start":
            entry = companies.get(claim.subject)
            start = start_year(entry)
            if start is not None and abs(start - claim.value) >= MIN_START_YEARS_APART:
                message = msgs["contradiction_company_start"].format(
                    now=int(claim.value), cv=start, company=entry["company"]
                )
        elif claim.kind == "solo":
            # Alone against with others, about the same piece of work: the host's
            # question now shares a word with what was said then.
            topic = _topic_words(f"{context.question or ''} {claim.sentence}")
            if any(
                c["polarity"] == -claim.polarity
                and topic & _topic_words(f"{c.get('answer') or ''} {c.get('quote') or ''}")
                for c in previous("solo")
            ):
                key = (
                    "contradiction_solo_negative"
                    if claim.polarity < 0
                    else "contradiction_solo_positive"
                )
                message = msgs[key]
        elif claim.kind == "company_years":
            entry = companies.get(claim.subject)
            tenure = tenure_years(entry, context.cv_data) if entry else None
            said = next(
                (
                    c["value"]
                    for c in reversed(previous("company_years", claim.subject))
                    if _apart(c["value"], claim.value)
                ),
                None,
            )
            if said is not None:
                message = msgs["contradiction_company_years_claim"].format(
                    now=fmt(claim.value, lang),
                    before=fmt(said, lang),
                    company=entry["company"] if entry else claim.subject,
                )
            elif tenure is not None and _apart(tenure, claim.value):
                message = msgs["contradiction_company_years"].format(
                    now=fmt(claim.value, lang), cv=fmt(tenure, lang), company=entry["company"]
                )
        elif claim.kind == "company_never" and claim.subject in companies:
            message = msgs["contradiction_company_never"].format(
                company=companies[claim.subject]["company"]
            )
        if message:
            found.append((message, claim))
    return found
