"""Keep the work of one grade bounded, whatever the input: no long unspaced runs, a parse budget.

spaCy's tokenizer slows down sharply on long runs without spaces (5,000 characters of
punctuation or emoji took seconds), so a run longer than MAX_TOKEN_CHARS is cut into pieces
of that size before the tokenizer sees it; every other run goes through the tokenizer as
usual. The Doc keeps the text exactly (doc.text == text), so every offset stays valid.
The neural pipes then see at most PARSE_TOKEN_BUDGET tokens: a statement is a few
sentences, and a text far beyond that is checked in full for wording only, with a note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

MAX_TOKEN_CHARS = 40
PARSE_TOKEN_BUDGET = 900
LONG_RUN = re.compile(r"\S{%d,}" % (MAX_TOKEN_CHARS + 1))
PIECES = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Prepared:
    """A tokenized text: the part the pipeline parses, and the whole (when the text is over budget)."""

    head: Doc  # tokens 0..cut, to be parsed
    whole: Doc | None  # every token, tokenized only; None when head is the whole text
    tokenizer_chars: int  # characters handed to the tokenizer (the mechanism tests count them)


def make_doc(nlp: Language, text: str) -> tuple[Doc, int]:
    """Tokenize with long unspaced runs cut into pieces; returns the Doc and the characters tokenized."""
    if not LONG_RUN.search(text):
        return nlp.make_doc(text), len(text)
    words: list[str] = []
    spaces: list[bool] = []
    tokenized = 0
    for match in PIECES.finditer(text):
        piece = match.group()
        if piece.isspace():
            if words and not spaces[-1] and piece[0] == " ":
                spaces[-1] = True  # one space after a token belongs to it, as in spaCy
                piece = piece[1:]
            if piece:
                words.append(piece)
                spaces.append(False)
        elif len(piece) > MAX_TOKEN_CHARS:
            for i in range(0, len(piece), MAX_TOKEN_CHARS):
                words.append(piece[i:i + MAX_TOKEN_CHARS])
                spaces.append(False)
        else:
            tokenized += len(piece)
            for tok in nlp.tokenizer(piece):
                words.append(tok.text)
                spaces.append(bool(tok.whitespace_))
    return Doc(nlp.vocab, words=words, spaces=spaces), tokenized


def _cut(doc: Doc, budget: int) -> int:
    """Where to stop parsing: after the last sentence end within the budget, else at the budget."""
    for i in range(budget - 1, budget // 2, -1):
        if doc[i].text in (".", "!", "?", "\n") or doc[i].text.endswith("\n"):
            return i + 1
    return budget


def prepare(nlp: Language, text: str, budget: int = PARSE_TOKEN_BUDGET) -> Prepared:
    """The doc to parse (at most budget tokens) and, for a longer text, the whole tokenized doc."""
    doc, tokenized = make_doc(nlp, text)
    if len(doc) <= budget:
        return Prepared(doc, None, tokenized)
    return Prepared(doc[:_cut(doc, budget)].as_doc(), doc, tokenized)
