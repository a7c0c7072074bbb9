"""The mechanisms that bound the work of one grade (no timings here: speed is in `python -m grader bench`)."""

from __future__ import annotations

import pytest

from grader import MAX_CHARS, grade
from grader.bench import pathological
from grader.core import MAX_FINDINGS
from grader.matching import regex_text
from grader.text_guard import HEAD_CHARS, MAX_TOKEN_CHARS, PARSE_TOKEN_BUDGET, make_doc, prepare
from tests.grader_fixtures import assert_spans


@pytest.mark.parametrize(
    "text",
    [
        "😀" * 5000,
        "!?.,;:" * 900,
        "a" * 5000,
        "Dad hit " + "x" * 300 + " Mia.",
        "(" * 2000 + ")" * 2000,
        "  lead  and\n\n trail  \t x" + "-" * 100 + "  ",
    ],
)
def test_long_runs_are_cut_before_the_tokenizer(nlp, text):
    doc, tokenized = make_doc(nlp, text)
    assert doc.text == text  # every offset stays valid
    assert max(len(t.text) for t in doc) <= MAX_TOKEN_CHARS or text.strip() != text
    assert tokenized <= sum(len(p) for p in text.split() if len(p) <= MAX_TOKEN_CHARS)


class CountingTokenizer:
    """Wraps the tokenizer and counts the characters and calls it is given."""

    def __init__(self, nlp):
        self.nlp, self.real, self.chars, self.longest = nlp, nlp.tokenizer, 0, 0

    def __enter__(self):
        def counting(text):
            self.chars += len(text)
            self.longest = max(self.longest, len(text))
            return self.real(text)

        self.nlp.tokenizer = counting
        return self

    def __exit__(self, *exc):
        self.nlp.tokenizer = self.real


@pytest.mark.parametrize("name", list(pathological(1000)))
def test_work_before_the_parser_is_bounded_whatever_the_length(nlp, name):
    heads = []
    for size in (1000, 4000, 16000, MAX_CHARS):
        text = pathological(size)[name]
        with CountingTokenizer(nlp) as counter:
            prepared = prepare(nlp, text)
        heads.append(len(prepared.head))
        assert len(prepared.head) <= PARSE_TOKEN_BUDGET
        assert counter.chars <= min(size, HEAD_CHARS)  # never more than the head, never the whole of a long text
        assert all(len(t.text) <= MAX_TOKEN_CHARS for t in prepared.head)
        assert prepared.tail_start is None or prepared.tail_start <= HEAD_CHARS
    assert heads[-1] <= max(heads[1], PARSE_TOKEN_BUDGET)  # the parser's share stops growing


def test_regex_rules_never_see_long_runs():
    text = "mail me at ana@example.com " + "a" * 10000 + "@" + "b" * 5000
    scanned = regex_text(text)
    assert len(scanned) == len(text) and "ana@example.com" in scanned
    assert max(len(w) for w in scanned.split()) <= 80


@pytest.mark.parametrize("name", ["judgmental words", "prose", "punctuation", "one long line of names"])
@pytest.mark.parametrize("kind", ["harm", "danger", "safety_goal", "plain_language"])
def test_pathological_inputs_grade_with_valid_offsets(nlp, name, kind):
    text = pathological(MAX_CHARS)[name]
    report = grade(kind, text)
    assert_spans(text, report)
    assert len(report.findings) <= MAX_FINDINGS + 2


def test_long_text_is_checked_for_wording_throughout(nlp):
    text = "Dad grabbed Mia (4) on Saturday and she cried. " * 120 + "Mom is lazy and the CFT met."
    report = grade("harm", text)
    cats = {f.category for f in report.findings if f.start > HEAD_CHARS}
    assert {"judgmental", "jargon"} <= cats
    assert any(f.rule == "style.too_long" for f in report.findings)
    assert report.component("caregiver_action").present


def test_findings_are_capped_with_a_count(nlp):
    report = grade("plain_language", "lazy " * 400)
    assert len([f for f in report.findings if f.category == "judgmental"]) == MAX_FINDINGS
    note = [f for f in report.findings if f.rule == "style.too_many_findings"]
    assert note and "300 more" in note[0].message
