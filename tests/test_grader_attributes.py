"""The fast attribute mapper gives every token exactly what spaCy's AttributeRuler gives it."""

from pathlib import Path

import pytest
import spacy

from grader.attributes import AttributeMapper, UnsupportedPattern, use_fast_attributes
from grader.evaluate import DEFAULT_CORPUS, load_corpus
from grader.pipeline import _load

ROOT = Path(__file__).resolve().parent.parent
# Odd inputs that exercise the ruler's rarer patterns: spaces, contractions, expletives, "but" as an adverb.
AWKWARD = [
    "  Two  spaces\n\nand a blank line.\t",
    "y'all gonna c'mon, I gotta go, let's see, ain't it?",
    "There is a dog. There were two. I did it. Do you? He'd have gone.",
    "Everyone knows nothing; somebody said that.",
    "It was but a scratch.",
    "That is the one that she wanted; these are those.",
    "",
]


def _texts() -> list[str]:
    """Statements from the corpus, paragraphs of the course modules, and the awkward cases."""
    texts = [row["text"] for row in load_corpus(DEFAULT_CORPUS)]
    for module in sorted((ROOT / "content" / "modules").glob("*.md"))[:6]:
        texts += [p for p in module.read_text(encoding="utf-8").split("\n\n") if p.strip()][:40]
    return texts + AWKWARD


@pytest.fixture(scope="module")
def reference():
    """The same pipeline with the original AttributeRuler left in place."""
    original = _load(fast_attributes=False)
    assert type(original.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"
    return original


def test_grader_pipeline_uses_the_mapper(nlp):
    assert type(nlp.get_pipe("attribute_ruler")).__name__ == "AttributeMapper"


def test_mapper_matches_attribute_ruler_token_for_token(nlp, reference):
    checked = 0
    for text in _texts():
        ours, theirs = nlp(text, disable=["ner"]), reference(text, disable=["ner"])
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            got = (a.tag_, a.pos_, str(a.morph), a.lemma_, a.dep_)
            want = (b.tag_, b.pos_, str(b.morph), b.lemma_, b.dep_)
            assert got == want, f"{a.text!r} in {text[:60]!r}"
            checked += 1
    assert checked > 5000


@pytest.mark.parametrize(
    "pattern",
    [
        {"patterns": [[{"ORTH": "x"}]], "attrs": {"POS": "X"}},  # token key the mapper does not implement
        {
            "patterns": [[{"TAG": {"REGEX": "^N"}, "LOWER": {">=": 3}}]],
            "attrs": {"POS": "X"},
        },  # operator it does not know
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"NORM": "x"}},  # attribute it does not set
    ],
)
def test_unsupported_patterns_keep_the_original_ruler(pattern):
    blank = spacy.blank("en")
    with pytest.raises(UnsupportedPattern):
        AttributeMapper(blank, patterns=[pattern])
    ruler = blank.add_pipe("attribute_ruler")
    ruler.add_patterns([pattern])
    assert use_fast_attributes(blank) is False
    assert type(blank.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"


def test_later_patterns_win_and_conditions_read_the_original_tokens():
    blank = spacy.blank("en")
    mapper = AttributeMapper(
        blank,
        patterns=[
            {"patterns": [[{"LOWER": "dog"}]], "attrs": {"POS": "NOUN", "TAG": "XX"}},
            {"patterns": [[{"TAG": "XX"}]], "attrs": {"POS": "VERB"}},  # must not see the TAG set above
            {"patterns": [[{"LOWER": "dog"}]], "attrs": {"POS": "PROPN"}},
            {"patterns": [[{"LOWER": "big"}, {"LOWER": "dog"}]], "attrs": {"LEMMA": "hound"}, "index": 1},
        ],
    )
    doc = mapper(blank("a big dog"))
    assert [t.pos_ for t in doc] == ["", "", "PROPN"]
    assert doc[2].tag_ == "XX" and doc[2].lemma_ == "hound"
