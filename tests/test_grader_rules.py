"""Rule data: structure, unique ids, and each rule's flag/pass examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import grade, load_ruleset
from grader.ruleset import ERROR_CATEGORIES, RULES_DIR, RuleFileError, default_ruleset

RULES = default_ruleset().rules


def test_every_rule_has_examples_and_unique_id():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for rule in RULES:
        assert rule.examples_flag and rule.examples_pass, f"{rule.id} needs flag and pass examples"
        assert rule.message and rule.suggestion and rule.source, rule.id
        assert (rule.severity == "error") == (rule.category in ERROR_CATEGORIES), rule.id


def test_ruleset_covers_the_evaluated_categories():
    from grader.evaluate import EVALUATED

    categories = {r.category for r in RULES}
    for cat in EVALUATED + ("readability",):
        assert cat in categories, f"no rule for {cat}"


def _cases(which: str):
    for rule in RULES:
        for text in rule.examples_flag if which == "flag" else rule.examples_pass:
            yield pytest.param(rule, text, id=f"{rule.id}:{text[:30]}")


@pytest.mark.parametrize("rule,text", list(_cases("flag")))
def test_flag_examples_flag_their_rule(nlp, rule, text):
    report = grade(rule.kinds[0], text)
    hits = [f for f in report.findings if f.rule == rule.id]
    assert hits, f"rule {rule.id} should flag {text!r}; got {[f.rule for f in report.findings]}"


@pytest.mark.parametrize("rule,text", list(_cases("pass")))
def test_pass_examples_do_not_flag_their_rule(nlp, rule, text):
    report = grade(rule.kinds[0], text)
    hits = [f.text for f in report.findings if f.rule == rule.id]
    assert not hits, f"rule {rule.id} should not flag {text!r}; flagged {hits}"


def _copy_rules(tmp_path: Path) -> Path:
    for path in RULES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_copied_rules_load(tmp_path):
    assert len(load_ruleset(_copy_rules(tmp_path)).rules) == len(RULES)


@pytest.mark.parametrize(
    "entry,problem",
    [
        (
            "  - id: bad.entry\n    type: lexicon\n    message: m\n    suggestion: s\n    examples: {flag: "
            "[a], pass: [b]}\n",
            "terms",
        ),
        (
            "  - id: bad.entry\n    type: sorcery\n    terms: [x]\n    message: m\n    suggestion: s\n"
            "    examples: {flag: [a], pass: [b]}\n",
            "type",
        ),
        (
            "  - id: bad.entry\n    type: lexicon\n    terms: [x]\n    suggestion: s\n    examples: {flag: "
            "[a], pass: [b]}\n",
            "message",
        ),
        ("  - id: bad.entry\n    type: lexicon\n    terms: [x]\n    message: m\n    suggestion: s\n", "examples"),
        (
            "  - id: bad.entry\n    type: regex\n    patterns: ['(unclosed']\n    message: m\n    suggestion: s\n"
            "    examples: {flag: [a], pass: [b]}\n",
            "regex",
        ),
        (
            "  - id: Bad Id\n    type: lexicon\n    terms: [x]\n    message: m\n    suggestion: s\n"
            "    examples: {flag: [a], pass: [b]}\n",
            "id",
        ),
    ],
)
def test_bad_entry_names_file_and_entry(tmp_path, entry, problem):
    rules_dir = _copy_rules(tmp_path)
    (rules_dir / "zz_broken.yaml").write_text(
        "category: jargon\nseverity: error\nsource: test\nrules:\n" + entry, encoding="utf-8"
    )
    with pytest.raises(RuleFileError) as info:
        load_ruleset(rules_dir)
    message = str(info.value)
    assert "zz_broken.yaml" in message and "entry 0" in message and problem in message, message


def test_duplicate_id_is_rejected(tmp_path):
    rules_dir = _copy_rules(tmp_path)
    (rules_dir / "zz_dupe.yaml").write_text(
        "category: jargon\nseverity: error\nsource: test\nrules:\n  - id: jargon.acronym\n    type: lexicon\n"
        "    terms: [x]\n    message: m\n    suggestion: s\n    examples: {flag: [a], pass: [b]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="zz_dupe.yaml.*jargon.acronym"):
        load_ruleset(rules_dir)


def test_wrong_severity_for_category_is_rejected(tmp_path):
    rules_dir = _copy_rules(tmp_path)
    (rules_dir / "zz_sev.yaml").write_text(
        "category: jargon\nseverity: warning\nsource: test\nrules:\n  - id: zz.sev\n    type: lexicon\n"
        "    terms: [x]\n    message: m\n    suggestion: s\n    examples: {flag: [a], pass: [b]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="zz_sev.yaml: entry 0 \\(zz.sev\\)"):
        load_ruleset(rules_dir)
