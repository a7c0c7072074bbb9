"""A faster stand-in for the pipeline's attribute_ruler that sets exactly the same attributes.

en_core_web_sm maps fine-grained tags to coarse POS and morphology with an AttributeRuler:
about 180 Matcher patterns run over every token. That pass costs as much as the parser on
short statements and, unlike the neural pipes, gains nothing from nlp.pipe batching. The
patterns are nearly all "this tag (and this word) gets these attributes", so this component
indexes them by word, tag and dependency label and checks only the few candidates for each
token. It is built from the loaded ruler's own patterns, keeps their order (a later pattern
wins, as in AttributeRuler) and reads every condition before writing any attribute, as the
ruler does. tests/test_grader_attributes.py checks that both give identical tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc, MorphAnalysis

FACTORY = "grader_attribute_mapper"
SUPPORTED_ATTRS = {"POS", "MORPH", "LEMMA", "TAG", "DEP"}


FEATURE_CACHE_LIMIT = 100_000


def _merge(found: list[tuple[int, tuple]]) -> dict[str, Any]:
    """Merge matched patterns' attributes in pattern order, so a later pattern wins."""
    merged: dict[str, Any] = {}
    for _order, attrs in found:
        merged.update(attrs)
    return merged


class UnsupportedPattern(ValueError):
    """A ruler pattern uses a token key or operator this mapper does not implement."""


def _value_test(spec: Any) -> Callable[[Any], bool]:
    """Compile one Matcher value spec (exact, IN, NOT_IN, REGEX) to a predicate."""
    if not isinstance(spec, dict):
        return lambda value: value == spec
    if set(spec) == {"IN"}:
        allowed = frozenset(spec["IN"])
        return lambda value: value in allowed
    if set(spec) == {"NOT_IN"}:
        banned = frozenset(spec["NOT_IN"])
        return lambda value: value not in banned
    if set(spec) == {"REGEX"}:
        search = re.compile(spec["REGEX"]).search
        return lambda value: bool(search(value))
    raise UnsupportedPattern(f"operator {sorted(spec)}")


def _index_values(spec: Any) -> list[Any] | None:
    """The exact values a spec accepts, or None when it is open-ended."""
    if not isinstance(spec, dict):
        return [spec]
    if set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


# Positions of the token features in the tuples that __call__ builds.
FEATURES = ("LOWER", "TAG", "DEP", "IS_SPACE")


@dataclass(frozen=True)
class _Pattern:
    """One compiled pattern: tests still to run, which token gets the attributes, and the attributes."""

    order: int
    length: int
    tests: tuple[tuple[int, int, Callable[[Any], bool]], ...]  # (token offset, feature position, test)
    index: int
    attrs: tuple[tuple[str, Any], ...]


class AttributeMapper:
    """Apply AttributeRuler-style patterns through word/tag/dependency indexes."""

    def __init__(self, nlp: Language, name: str = FACTORY, patterns: list[dict] | None = None):
        """Compile the patterns (as returned by AttributeRuler.patterns)."""
        self.name = name
        self.vocab = nlp.vocab
        # Single-token patterns (nearly all of them) and longer ones are indexed apart: what the
        # single ones give depends only on a token's own features, so it is worked out once per
        # distinct (word, tag, dependency, space) and remembered.
        self._by_feature: tuple[dict[Any, list[_Pattern]], ...] = tuple({} for _ in FEATURES)
        self._open: list[_Pattern] = []
        self._longer_by_feature: tuple[dict[Any, list[_Pattern]], ...] = tuple({} for _ in FEATURES)
        self._longer_open: list[_Pattern] = []
        self._by_features_seen: dict[tuple, tuple[list[tuple[int, tuple]], dict[str, Any]]] = {}
        self._morphs: dict[str, MorphAnalysis] = {}
        for order, entry in enumerate(patterns or []):
            attrs = self._attrs(entry["attrs"])
            for token_specs in entry["patterns"]:
                self._add(order, token_specs, entry.get("index", 0), attrs)

    def _attrs(self, attrs: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        """Validate attributes and pre-build the values that are costly to make per token."""
        out = []
        for key, value in attrs.items():
            if key not in SUPPORTED_ATTRS:
                raise UnsupportedPattern(f"attribute {key}")
            if key == "POS":
                value = POS_IDS[value]
            elif key == "MORPH":
                value = self._morph(value)
            out.append((key, value))
        return tuple(out)

    def _morph(self, features: str) -> MorphAnalysis:
        """A MorphAnalysis for a feature string, made once."""
        if features not in self._morphs:
            self._morphs[features] = MorphAnalysis.from_id(self.vocab, self.vocab.morphology.add(features))
        return self._morphs[features]

    def _add(self, order: int, token_specs: list[dict], index: int, attrs: tuple) -> None:
        """File the pattern under the most selective exact feature of its first token.

        The index lookup already proves that feature, so its test is dropped.
        """
        filed_under: tuple[int, list[Any]] | None = None
        for position, key in enumerate(FEATURES):
            values = _index_values(token_specs[0][key]) if key in token_specs[0] else None
            if values is not None:
                filed_under = (position, values)
                break
        tests = []
        for offset, spec in enumerate(token_specs):
            unknown = set(spec) - set(FEATURES)
            if unknown:
                raise UnsupportedPattern(f"token keys {sorted(unknown)}")
            for key, value in spec.items():
                position = FEATURES.index(key)
                if offset == 0 and filed_under and filed_under[0] == position:
                    continue
                tests.append((offset, position, _value_test(value)))
        pattern = _Pattern(order, len(token_specs), tuple(tests), index, attrs)
        single = pattern.length == 1 and index == 0
        if filed_under is None:
            (self._open if single else self._longer_open).append(pattern)
            return
        position, values = filed_under
        for value in dict.fromkeys(values):
            (self._by_feature if single else self._longer_by_feature)[position].setdefault(value, []).append(pattern)

    def _single(self, features: tuple) -> tuple[list[tuple[int, tuple]], dict[str, Any]]:
        """The single-token patterns a token with these features matches, and their merged attributes."""
        seen = self._by_features_seen.get(features)
        if seen is not None:
            return seen
        found = []
        for index, candidates in zip(features, self._by_feature, strict=True):
            for pattern in candidates.get(index, ()):
                if all(test(features[position]) for _offset, position, test in pattern.tests):
                    found.append((pattern.order, pattern.attrs))
        for pattern in self._open:
            if all(test(features[position]) for _offset, position, test in pattern.tests):
                found.append((pattern.order, pattern.attrs))
        found.sort(key=lambda item: item[0])
        if len(self._by_features_seen) >= FEATURE_CACHE_LIMIT:
            self._by_features_seen.clear()
        seen = self._by_features_seen[features] = (found, _merge(found))
        return seen

    def __call__(self, doc: Doc) -> Doc:
        """Set POS, morphology and the few lemma/tag/dependency exceptions on every token."""
        tokens = list(doc)
        feats = [(t.lower_, t.tag_, t.dep_, t.is_space) for t in tokens]
        count = len(feats)
        longer: dict[int, list[tuple[int, tuple]]] = {}
        for start, f in enumerate(feats):
            for candidates in (
                *(by.get(value) for value, by in zip(f, self._longer_by_feature, strict=True)),
                self._longer_open,
            ):
                for pattern in candidates or ():
                    if start + pattern.length <= count and all(
                        test(feats[start + offset][position]) for offset, position, test in pattern.tests
                    ):
                        longer.setdefault(start + pattern.index, []).append((pattern.order, pattern.attrs))
        for position, (token, f) in enumerate(zip(tokens, feats, strict=True)):
            found, merged = self._single(f)
            if position in longer:  # a later pattern wins, as in AttributeRuler
                merged = _merge(sorted(found + longer[position], key=lambda item: item[0]))
            if merged:
                self._set(token, merged)
        return doc

    @staticmethod
    def _set(token: Any, attrs: dict[str, Any]) -> None:
        """Write the merged attributes to one token."""
        for key, value in attrs.items():
            if key == "POS":
                token.pos = value
            elif key == "MORPH":
                token.morph = value
            elif key == "LEMMA":
                token.lemma_ = value
            elif key == "TAG":
                token.tag_ = value
            else:
                token.dep_ = value

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        """Process a stream of docs."""
        for doc in docs:
            yield self(doc)


@Language.factory(FACTORY, default_config={"patterns": []})
def make_attribute_mapper(nlp: Language, name: str, patterns: list[dict]) -> AttributeMapper:
    """spaCy factory for the mapper."""
    return AttributeMapper(nlp, name, patterns)


def use_fast_attributes(nlp: Language) -> bool:
    """Swap the pipeline's attribute_ruler for the mapper; False (ruler kept) if a pattern is unsupported."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    if isinstance(ruler, AttributeMapper):
        return True  # already swapped
    patterns = ruler.patterns
    try:
        AttributeMapper(nlp, patterns=patterns)
    except (UnsupportedPattern, KeyError):
        return False
    nlp.replace_pipe("attribute_ruler", FACTORY, config={"patterns": patterns})
    return True
