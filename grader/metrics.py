"""Word, sentence and reading-level figures."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Token

VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Rough English syllable count (vowel groups, silent final e)."""
    w = word.lower()
    count = len(VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def sentence_words(tokens: Sequence[Token]) -> list[tuple[int, int, int]]:
    """(start char, end char, word count) for each sentence of a parsed doc's tokens."""
    out = []
    start = 0
    for k in range(1, len(tokens) + 1):
        if k < len(tokens) and not tokens[k].is_sent_start:
            continue
        words = sum(1 for t in tokens[start:k] if t.is_alpha or t.like_num)
        if words:
            last = tokens[k - 1]
            out.append((tokens[start].idx, last.idx + len(last.text), words))
        start = k
    return out


def compute(tokens: Sequence[Token], sentences: list[tuple[int, int, int]] | None = None) -> dict:
    """Words, sentences and Flesch-Kincaid grade level (sentences: sentence_words(tokens), if already made)."""
    words = [t.text for t in tokens if t.is_alpha or t.like_num]
    sents = len(sentence_words(tokens) if sentences is None else sentences) or (1 if words else 0)
    if not words:
        return {"words": 0, "sentences": 0, "grade_level": 0.0}
    syl = sum(syllables(w) for w in words if w.isalpha()) + sum(1 for w in words if not w.isalpha())
    grade = 0.39 * len(words) / sents + 11.8 * syl / len(words) - 15.59
    return {"words": len(words), "sentences": sents, "grade_level": round(max(0.0, grade), 1)}
