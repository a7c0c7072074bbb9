"""Render course Markdown to safe HTML: one helper, then nh3 sanitising."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3

CALLOUT_KINDS = ("key-term", "try-it", "trainer-note", "reflect")
TRAINER_ONLY = "trainer-note"
_CALLOUT_START = re.compile(r"^!!!\s+([a-z-]+)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "img", "kbd", "li", "ol", "p", "pre", "section", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "abbr": {"title"},
}


def _split_trainer_notes(source: str) -> tuple[list[str], list[str]]:
    """Split Markdown lines into (everything else, trainer-note callouts with their indented bodies)."""
    kept, notes, in_note = [], [], False
    for line in source.splitlines(keepends=True):
        match = _CALLOUT_START.match(line)
        if match:
            in_note = match.group(1) == TRAINER_ONLY
        elif in_note and not (line.strip() == "" or line.startswith(("    ", "\t"))):
            in_note = False
        (notes if in_note else kept).append(line)
    return kept, notes


def strip_trainer_notes(source: str) -> str:
    """Remove every trainer-note callout (its opening line and indented body) from Markdown."""
    return _drop_empty_sections(_split_trainer_notes(source)[0])


def trainer_notes_markdown(source: str) -> str:
    """Return only the trainer-note callouts of some Markdown (the inverse of strip_trainer_notes)."""
    return "".join(_split_trainer_notes(source)[1])


def _drop_empty_sections(lines: list[str]) -> str:
    """Drop headings left with nothing under them (for example a 'Trainer notes' section)."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            rest = lines[index + 1 :]
            body_empty = True
            for following in rest:
                nxt = _HEADING.match(following)
                if nxt and len(nxt.group(1)) <= level:
                    break
                if following.strip():
                    body_empty = False
                    break
            if body_empty:
                continue
        kept.append(line)
    return "".join(kept)


def drop_leading_title(source: str) -> str:
    """Remove a leading `# Title` line: the module page already shows the title as its heading."""
    lines = source.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) == 1:
            return "".join(lines[:index] + lines[index + 1 :])
        break
    return source


def _markdown() -> markdown.Markdown:
    """Return a Markdown converter with the extensions the course uses."""
    return markdown.Markdown(
        extensions=["tables", "toc", "admonition", "fenced_code", "attr_list", "sane_lists", "def_list"],
        extension_configs={"toc": {"permalink": False, "toc_depth": "2-3"}},
        output_format="html",
    )


def sanitize(html: str) -> str:
    """Keep only safe tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@lru_cache(maxsize=512)
def render_markdown(source: str, audience: str = "learner") -> str:
    """Render Markdown for an audience ('learner' hides trainer notes, 'trainer' shows them)."""
    if audience != "trainer":
        source = strip_trainer_notes(source)
    return wrap_tables(sanitize(_markdown().convert(source)))


def wrap_tables(html: str) -> str:
    """Wrap each table in a keyboard-focusable scroll region so wide tables work on phones."""
    html = html.replace(
        "<table>", '<div class="table-scroll" role="region" aria-label="Table (scrolls sideways)" tabindex="0"><table>'
    )
    return html.replace("</table>", "</table></div>")


@dataclass(frozen=True)
class Heading:
    """A section heading with its anchor, for the page outline and resume position."""

    level: int
    text: str
    anchor: str


@lru_cache(maxsize=256)
def headings(source: str) -> tuple[Heading, ...]:
    """Return the level-2 and level-3 headings with the anchors the toc extension gives them."""
    md = _markdown()
    md.convert(source)
    found = []

    def walk(tokens):
        for token in tokens:
            if token["level"] in (2, 3):
                found.append(Heading(token["level"], token["name"], token["id"]))
            walk(token["children"])

    walk(md.toc_tokens)
    return tuple(found)


@dataclass(frozen=True)
class Section:
    """A slide-sized part of a module: cut at each `##` heading or `---` rule."""

    title: str
    markdown: str


def split_sections(source: str) -> list[Section]:
    """Cut module Markdown into slide sections at `##` headings and `---` rules."""
    sections: list[Section] = []
    title, buffer, in_fence = "", [], False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if not in_fence and (stripped == "---" or (heading and len(heading.group(1)) == 2)):
            if "".join(buffer).strip():
                sections.append(Section(title, "".join(buffer)))
            buffer = []
            if heading:
                title = heading.group(2)
                buffer.append(line)
            continue
        buffer.append(line)
    if "".join(buffer).strip():
        sections.append(Section(title, "".join(buffer)))
    return sections
