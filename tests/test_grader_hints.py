"""Hints never invent: every hint, message and suggestion uses only the learner's words, the given
roster, or generic words. Each family's names, places and times are read here from its own YAML
(never by the library), and no other family's may appear in what the grader says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from wordfreq import zipf_frequency

from grader import KINDS, GraderInputError, grade, roster_from_mapping
from grader.ruleset import RULES_DIR
from tests.grader_fixtures import VIGNETTES

FILES = sorted(Path(VIGNETTES).glob("*.yaml"))
TIME = re.compile(
    r"\b\d{1,2}(?::\d\d)?\s?[ap]\.?m\.?|\b(?:January|February|March|April|June|July|August|September|"
    r"October|November|December) \d{1,2}\b|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
)
CAPITALISED = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*")


def _text_of(value) -> str:
    """Every string inside a YAML value."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_text_of(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text_of(v) for v in value)
    return ""


def family_facts(path: Path) -> set[str]:
    """A family's names (roster), places (rare capitalised words) and times, from its YAML."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = set()
    for person in data["roster"]:
        for field in ("name", "short"):
            facts.update(w.strip(".") for w in str(person.get(field) or "").split() if len(w.strip(".")) > 2)
    text = _text_of({k: v for k, v in data.items() if k != "roster"})
    facts.update(m.group(0) for m in TIME.finditer(text))
    for m in CAPITALISED.finditer(text):
        for word in m.group(0).replace("-", " ").split():
            if zipf_frequency(word.lower(), "en") < 3.2 and len(word) > 2:
                facts.add(word)  # names and places, not everyday words that start a clause after a comma
    facts -= {"Mr", "Ms", "Mrs", "Dr"}
    return facts


FACTS = {path.stem: family_facts(path) for path in FILES}
ROSTERS = {path.stem: roster_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8"))) for path in FILES}


def _probes(kind: str, caregiver: str, child: str) -> list[tuple[str, dict]]:
    """Poor drafts that draw out hints and findings, written with one family's own first names."""
    table = {
        "harm": [
            f"{caregiver} neglected {child}.",
            "DV in the home. The mother is lazy and the house is dirty.",
            f"{child} was hit.",
            "The minor is unsafe and mom is in denial about her substance abuse.",
            f"{caregiver} failed to protect {child}. CPS got a referral. Call 555-867-5309.",
        ],
        "danger": [
            "Risk of future DV.",
            f"{caregiver} may abuse {child}.",
            f"We are worried {child} could be upset.",
            "The family cannot afford rent.",
            f"{caregiver} is an addict.",
        ],
        "safety_goal": [
            f"{caregiver} will attend parenting classes.",
            f"{caregiver} will stop drinking.",
            f"{caregiver} will buy {child} a bike.",
            f"{caregiver} will not hit {child}.",
            f"{caregiver} will comply with the case plan and test clean.",
        ],
        "sf_question": [
            "Why did you do it?",
            "Do you drink?",
            f"Don't you think {child} deserves better?",
            "I will ask about the week.",
        ],
        "child_questions": ["Why did you hide?", "Is your dad mean?", "Tell me."],
        "plain_language": [f"{caregiver} is neglectful and the CPS worker says the home is chaotic."],
    }
    extra = {"child_age": 7} if kind == "child_questions" else {}
    out = [(text, extra) for text in table[kind]]
    if kind == "safety_goal":
        out.append(
            (f"{caregiver} will buy {child} a bike.", {"danger": f"{caregiver} may leave {child} alone at night."})
        )
    return out


def _said(report) -> list[str]:
    """Everything the grader says to the learner."""
    out = [c.hint for c in report.components]
    out += [f.message for f in report.findings] + [f.suggestion for f in report.findings]
    return out


def _families_in_question_rules() -> set[str]:
    """The families the question rules (owned by the questions work) still quote in what they say."""
    text = (RULES_DIR / "questions.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "suggestion:" in line or "message:" in line]
    return {
        family
        for family, facts in FACTS.items()
        if any(re.search(rf"\b{re.escape(name)}\b", line) for line in lines for name in facts)
    }


def _params():
    quoted = _families_in_question_rules()
    for family in FACTS:
        for kind in KINDS:
            marks = ()
            if kind in ("sf_question", "child_questions") and quoted - {family}:
                marks = pytest.mark.xfail(
                    strict=True, reason="questions.yaml (the questions work) still quotes a family"
                )
            yield pytest.param(family, kind, marks=marks, id=f"{family}-{kind}")


@pytest.mark.parametrize("family,kind", list(_params()))
def test_no_other_family_in_any_hint(nlp, family, kind):
    roster = ROSTERS[family]
    caregiver = next(p for p in roster.people if p.role == "caregiver").display
    child = next(p for p in roster.people if p.role == "child").display
    others = set().union(*(facts for name, facts in FACTS.items() if name != family)) - FACTS[family]
    for text, extra in _probes(kind, caregiver, child):
        for given in (roster, None):
            for said in _said(grade(kind, text, roster=given, **extra)):
                leaked = sorted(f for f in others if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", said) and f not in text)
                assert not leaked, f"{family} {kind} {text!r}: {leaked} in {said!r}"


def test_facts_are_read_from_the_yaml():
    assert {"Jayden", "Marcus", "Keisha"} <= FACTS["hill-family"]
    assert {"Amara", "Grace"} <= FACTS["okafor-family"]
    assert any(TIME.match(f) for f in FACTS["ruiz-family"])


def _years(age: str) -> int:
    """A roster age in whole years ("9" is 9, "3 months" is 0)."""
    return int(age) if age.strip().isdigit() else 0


def _forms(person) -> set[str]:
    """The ways a hint could name a person: full name, short name, first name."""
    return {f for f in (person.name, person.short, person.name.split()[0]) if f}


def _names_in(said: str, names: set[str]) -> list[str]:
    """The names a sentence uses; one that is also an everyday word ("An") counts only inside a sentence."""
    found = []
    for name in names:
        lead = r"(?<=[a-z,;] )" if zipf_frequency(name.lower(), "en") >= 3.2 else r"(?<!\w)"
        if re.search(lead + re.escape(name) + r"(?!\w)", said):
            found.append(name)
    return sorted(found)


INTERVIEWS = [
    pytest.param(family, child.name, id=f"{family}-{child.display}")
    for family, roster in ROSTERS.items()
    for child in roster.with_role("child")
]
INTERVIEW_PROBES = [
    "Why did you hide?",
    "Is your dad mean?",
    "Tell me.",
    "What worries you at home? What is good at home? What do you wish for?",
    "Hi, I'm here to draw with you. Does your brother or sister help you when you are sad?",
]


@pytest.mark.parametrize("family,child_name", INTERVIEWS)
def test_a_child_interview_names_only_that_child(nlp, family, child_name):
    """Hints for one child's interview never name a brother or sister, nor anyone of another family."""
    roster = ROSTERS[family]
    child = next(p for p in roster.with_role("child") if p.name == child_name)
    siblings = set().union(*(_forms(p) for p in roster.with_role("child") if p != child)) - _forms(child)
    strangers = set().union(*(facts for name, facts in FACTS.items() if name != family)) - FACTS[family]
    for text in INTERVIEW_PROBES:
        report = grade("child_questions", text, roster=roster, child=child.name, child_age=_years(child.age))
        for said in _said(report):
            assert not _names_in(said, siblings | strangers), f"{family} {child.display} {text!r}: {said!r}"
        hints = " ".join(c.hint for c in report.components)
        assert not _names_in(hints, set().union(*(_forms(p) for p in roster.people)) - _forms(child)), hints


WITH_SIBLINGS = [p for p in INTERVIEWS if len(ROSTERS[p.values[0]].with_role("child")) > 1]


@pytest.mark.parametrize("family,child_name", WITH_SIBLINGS)
def test_a_child_interview_hint_keeps_its_child_when_the_plan_names_a_sibling(nlp, family, child_name):
    """A plan that mentions a brother or sister by name still gets hints about the child it is for."""
    roster = ROSTERS[family]
    child = next(p for p in roster.with_role("child") if p.name == child_name)
    others = [p for p in roster.with_role("child") if p != child]
    text = f"What does {others[0].display} do when you are sad? Why do you hide?"
    report = grade("child_questions", text, roster=roster, child=child.name, child_age=_years(child.age))
    hints = [c.hint for c in report.components if c.hint]
    assert hints, "the plan lacks an opening, houses and sharing, so each has a hint"
    for hint in hints:
        assert not _names_in(hint, _forms(others[0]) - _forms(child)), hint


def test_child_must_be_a_child_of_the_roster():
    with pytest.raises(GraderInputError, match="not a child of this family"):
        grade("child_questions", "What worries you?", roster=ROSTERS["hill-family"], child="Tanya Hill")


KIN = re.compile(r"\b(sister|brother|aunt|uncle|grandma|grandmother|grandpa|grandfather|neighbou?r|cousin|boyfriend|"
                 r"girlfriend|husband|wife|partner)\b", re.I)


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_rule_wording_invents_no_relative(path):
    """A rule's own message or example names no relative the learner's family may not have ("your sister")."""
    said = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith(("message:", "suggestion:", "hint:"))]
    invented = [line.strip() for line in said if KIN.search(re.sub(r"\{[^}]*\}", "", line))]
    assert not invented, invented
