"""The word summary of a room's short answers: which words the most answers use.

Each answer counts a word once (so one long answer cannot fill the summary); common words
come from stopwords.txt, a plain list kept as data.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")
TOP = 12
MIN_LENGTH = 3


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Return the words the summary skips (one a line in stopwords.txt; # starts a comment)."""
    text = (Path(__file__).with_name("stopwords.txt")).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if (w := line.split("#", 1)[0].strip().lower()))


def words_of(text: str) -> set[str]:
    """Return the distinct words of an answer worth counting (lower case, possessive 's dropped)."""
    found = set()
    for match in WORD.finditer(text.lower()):
        word = re.sub(r"['’]s$", "", match.group())
        if len(word) >= MIN_LENGTH and word not in stopwords():
            found.add(word)
    return found


def word_summary(texts: list[str], top: int = TOP) -> dict:
    """Return the words most answers use, most first: {"answers": n, "words": [{"word", "count"}]}."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in words_of(text or ""):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {"answers": len(texts), "words": [{"word": w, "count": c} for w, c in ranked]}
