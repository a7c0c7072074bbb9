"""Every word list (grader/rules/lexicons.yaml) and danger type carries examples that must and must not match."""

from __future__ import annotations

import pytest

from grader.detectors import DETECTORS, relevance
from grader.lexicon import LexiconError, default_lexicons, lexicon_spans, load_lexicons, within_one_edit
from grader.vocabulary import components

LEXICONS = default_lexicons()


def test_every_lexicon_has_examples_both_ways():
    for lex in LEXICONS.values():
        assert lex.examples_match and lex.examples_no_match, f"lexicon {lex.name} needs match and no_match examples"
        assert lex.about, lex.name


def _cases(which):
    for lex in LEXICONS.values():
        for text in lex.examples_match if which == "match" else lex.examples_no_match:
            yield pytest.param(lex.name, text, id=f"{lex.name}:{text[:30]}")


@pytest.mark.parametrize("name,text", list(_cases("match")))
def test_match_examples_match(nlp, name, text):
    assert lexicon_spans(nlp, text, name), f"lexicon {name} should match something in {text!r}"


@pytest.mark.parametrize("name,text", list(_cases("no_match")))
def test_no_match_examples_do_not_match(nlp, name, text):
    assert not lexicon_spans(nlp, text, name), (
        f"lexicon {name} should not match {text!r}: {lexicon_spans(nlp, text, name)}"
    )


@pytest.mark.parametrize(
    "entry,problem",
    [
        ("x:\n  words: [a]\n  examples: {match: [a], no_match: [b]}\n", "'about'"),
        ("x:\n  about: t\n  words: []\n  examples: {match: [a], no_match: [b]}\n", "x.words"),
        ("x:\n  about: t\n  words: [a]\n", "'examples'"),
        ("x:\n  about: t\n  words: [a]\n  examples: {match: [a]}\n", "x.examples.no_match"),
        ("x:\n  about: t\n  match: stem\n  words: [a]\n  examples: {match: [a], no_match: [b]}\n", "'match'"),
    ],
)
def test_bad_lexicon_names_file_and_entry(tmp_path, entry, problem):
    path = tmp_path / "lexicons.yaml"
    path.write_text(entry, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicons(path)
    assert "lexicons.yaml: x" in str(info.value) and problem in str(info.value), str(info.value)


# Typos: cue words of 5+ letters match at one edit, only when the token is not an English word.
@pytest.mark.parametrize(
    "text,name,matched",
    [
        ("The worker is woried that Dad may hit him.", "worry_words", ["woried"]),
        ("The worker is worried.", "worry_words", ["worried"]),
        ("Mom left the todler alone.", "child_nouns", ["todler"]),
        ("She left on saterday.", "time_words", ["saterday"]),
        ("Dad may scold him.", "impact_words", []),  # "scold" is a word, not a typo of "scald"
        ("The kid cried.", "child_nouns", ["kid"]),
        ("The kit was there.", "child_nouns", []),  # short words never match by typo
        ("She is a great cook.", "caregiver_nouns", []),
    ],
)
def test_typo_tolerance(nlp, text, name, matched):
    assert lexicon_spans(nlp, text, name) == matched


@pytest.mark.parametrize(
    "a,b,close",
    [
        ("worried", "woried", True),
        ("bruised", "brusied", True),
        ("mother", "mothr", True),
        ("scald", "scold", True),
        ("abc", "xyz", False),
        ("worried", "wored", False),
    ],
)
def test_within_one_edit(a, b, close):
    assert within_one_edit(a, b) is close


def test_detectors_cover_every_component_once():
    for kind, table in DETECTORS.items():
        assert list(table) == [c.id for c in components(kind)], kind
    assert set(DETECTORS) == {"harm", "danger", "safety_goal", "child_questions"}


def test_danger_type_examples():
    types = relevance.default_danger_types().types
    for dtype in types.values():
        for text in dtype.examples_danger:
            assert dtype.id in relevance.classify([text]), (dtype.id, text)
        for text in dtype.examples_action:
            assert relevance.answers(relevance.words(text), (dtype.id,)), (dtype.id, text)
