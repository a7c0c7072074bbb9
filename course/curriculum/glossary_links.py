"""Link the first use of each glossary term in rendered module HTML to a definition popover.

Without JavaScript each linked word is a plain link to the glossary entry; glossary.js turns it
into a button (aria-expanded, aria-controls) that opens the definition next to it.
Text inside headings, links, code, buttons and callout titles is never linked.
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

from flask import url_for

from ..terms import Term, all_terms

SKIP_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "button", "abbr", "script", "style",
             "textarea", "select", "option", "label", "summary", "dt"}
SKIP_CLASSES = {"admonition-title"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _is_acronym(form: str) -> bool:
    """Return whether a form is an all-capitals acronym, matched case-sensitively (SOP, not 'sop')."""
    return form.isupper() and form.isalpha()


def build_pattern(terms: list[Term]) -> tuple[re.Pattern | None, dict[str, Term]]:
    """Return one regex for every form (longest first, whole words) and a lookup from matched text to term."""
    lookup: dict[str, Term] = {}
    alternatives = []
    for form, term in sorted(((f, t) for t in terms for f in t.forms), key=lambda pair: -len(pair[0])):
        words = r"\s+".join(re.escape(word) for word in form.split())
        if _is_acronym(form):
            alternatives.append(words)
            lookup[form] = term
        else:
            alternatives.append(f"(?i:{words})")
            lookup[" ".join(form.lower().split())] = term
    if not alternatives:
        return None, lookup
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])"), lookup


def _term_for(match: str, lookup: dict[str, Term]) -> Term | None:
    """Return the term a matched piece of text stands for."""
    return lookup.get(match) or lookup.get(" ".join(match.lower().split()))


def popover_markup(term: Term, shown: str, glossary_url: str) -> str:
    """Return the link and its hidden definition popover for one use of a term."""
    href = escape(f"{glossary_url}#{term.slug}")
    pop = f"gloss-pop-{term.slug}"
    return (
        f'<span class="gloss">'
        f'<a class="gloss__term" href="{href}" data-gloss="{pop}">{shown}</a>'
        f'<span class="gloss__pop" id="{pop}" role="dialog" aria-labelledby="{pop}-title" hidden>'
        f'<strong class="gloss__title" id="{pop}-title">{escape(term.term)}</strong> '
        f'<span class="gloss__def">{escape(term.definition)}</span> '
        f'<a class="gloss__more" href="{href}">Open in the glossary</a>'
        f"</span></span>"
    )


class _Linker(HTMLParser):
    """Copies HTML through unchanged, wrapping the first linkable use of each term."""

    def __init__(self, pattern: re.Pattern, lookup: dict[str, Term], glossary_url: str):
        super().__init__(convert_charrefs=False)
        self.pattern, self.lookup, self.glossary_url = pattern, lookup, glossary_url
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open tags, each marked when its text must not be linked
        self.linked: set[str] = set()

    def _skipping(self) -> bool:
        """Return whether the current text sits inside a heading, link, code or callout title."""
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        """Copy the tag and note whether text inside it may be linked."""
        self.out.append(self.get_starttag_text())
        if tag in VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append((tag, tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)))

    def handle_startendtag(self, tag, attrs):
        """Copy a self-closing tag."""
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        """Copy the end tag and close it (and anything left open inside it)."""
        self.out.append(f"</{tag}>")
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        """Copy text, linking the first use of each term not yet linked."""
        if self._skipping():
            self.out.append(data)
            return
        pieces, last = [], 0
        for match in self.pattern.finditer(data):
            term = _term_for(match.group(0), self.lookup)
            if term is None or term.slug in self.linked:
                continue
            self.linked.add(term.slug)
            pieces.append(data[last:match.start()])
            pieces.append(popover_markup(term, match.group(0), self.glossary_url))
            last = match.end()
        pieces.append(data[last:])
        self.out.append("".join(pieces))

    def handle_entityref(self, name):
        """Copy a named character reference."""
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        """Copy a numeric character reference."""
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        """Copy a comment."""
        self.out.append(f"<!--{data}-->")


def link_terms(html: str, terms: list[Term], glossary_url: str = "/glossary") -> str:
    """Return the HTML with the first use of each glossary term (or alias) linked to its definition."""
    pattern, lookup = build_pattern(terms)
    if pattern is None:
        return html
    linker = _Linker(pattern, lookup, glossary_url)
    linker.feed(html)
    linker.close()
    return "".join(linker.out)


@lru_cache(maxsize=128)
def _linked(html: str, terms: tuple[Term, ...], glossary_url: str) -> str:
    """Link terms in rendered HTML, remembered per page text and glossary version."""
    return link_terms(html, list(terms), glossary_url)


def link_module_html(html: str) -> str:
    """Return a module's rendered HTML with the first use of each glossary term linked to its definition."""
    return _linked(html, tuple(all_terms()), url_for("glossary.index"))
