"""The built-in rules compile patterns per interview (its requirements and CV): a
process analysing many live interviews at once must keep every one's patterns,
not compile them again on each answer.

Pure computation, no database.
"""

from __future__ import annotations

from interviews.analysis.builtin.claims import read_claims
from interviews.analysis.builtin.cv import catalogue_for, cv_companies
from interviews.analysis.builtin.lexicon import (
    LIVE_INTERVIEWS_CACHED,
    alternation,
    claim_patterns,
)


def interview_rules(n: int):
    cv = {
        "skills": [{"name": "Python"}, {"name": f"Framework{n}"}],
        "work": [{"company": f"Empresa {n}"}, {"company": f"Consultora {n} Chile"}],
    }
    return catalogue_for({"technical_skills": ["Django"]}, cv), cv_companies(cv)


def compiled(catalogue, companies, key="company_years"):
    return claim_patterns("es", "claims", key, catalogue.alternation, alternation(list(companies)))


def test_the_claim_patterns_of_many_live_interviews_are_compiled_once_each():
    # 100 interviews, each answer reading every claim list: the lists used to be
    # cached one by one, 1,024 in all, and about 50 interviews' worth evicted the
    # first interview's before its next answer.
    live = [interview_rules(n) for n in range(100)]
    assert len(live) < LIVE_INTERVIEWS_CACHED
    answer = "Estuve tres años en Empresa 7 y dos años con Python."
    read_claims(answer, "es", *live[0])
    first = compiled(*live[0])
    for rules in live:
        read_claims(answer, "es", *rules)
    # The same compiled objects: nothing was compiled again for its next answer.
    assert compiled(*live[0]) is first


def test_an_interview_reads_its_own_employers_whatever_was_compiled_for_others():
    catalogue, companies = interview_rules(3)
    read_claims("Estuve tres años en Empresa 4.", "es", *interview_rules(4))
    claims = read_claims("Estuve tres años en Empresa 3.", "es", catalogue, companies)
    assert [(c.kind, c.subject, c.value) for c in claims] == [("company_years", "empresa 3", 3.0)]
