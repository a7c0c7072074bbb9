"""Word, sentence and reading-level figures."""
from __future__ import annotations

import re

from spacy.tokens import Doc

VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Rough English syllable count (vowel groups, silent final e)."""
    w = word.lower()
    count = len(VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def sentence_words(doc: Doc) -> list[tuple[int, int, int]]:
    """(start char, end char, word count) for each sentence."""
    out = []
    for sent in doc.sents:
        words = sum(1 for t in sent if t.is_alpha or t.like_num)
        if words:
            out.append((sent.start_char, sent.end_char, words))
    return out


def compute(doc: Doc) -> dict:
    """Words, sentences and Flesch-Kincaid grade level."""
    words = [t.text for t in doc if t.is_alpha or t.like_num]
    sents = len(sentence_words(doc)) or (1 if words else 0)
    if not words:
        return {"words": 0, "sentences": 0, "grade_level": 0.0}
    syl = sum(syllables(w) for w in words if w.isalpha()) + sum(1 for w in words if not w.isalpha())
    grade = 0.39 * len(words) / sents + 11.8 * syl / len(words) - 15.59
    return {"words": len(words), "sentences": sents, "grade_level": round(max(0.0, grade), 1)}
