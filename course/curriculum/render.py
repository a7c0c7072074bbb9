"""Render course Markdown to safe HTML: one helper, then nh3 sanitising."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3

from .diagrams import expand_diagrams, include_name, mark_slots

CALLOUT_KINDS = ("key-term", "try-it", "trainer-note", "reflect")
TRAINER_ONLY = "trainer-note"
SLIDE_WORD_LIMIT = 40
_CALLOUT_START = re.compile(r"^!!!\s+([a-z-]+)")
_SLIDE_START = re.compile(r'^!!!\s+slide(?:\s+"([^"]*)")?\s*$')
_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
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
def _render_slots(source: str, audience: str) -> str:
    """Render Markdown to sanitised HTML in which each diagram include is an empty slot."""
    if audience != "trainer":
        source = strip_trainer_notes(source)
    return mark_slots(wrap_tables(sanitize(_markdown().convert(key_points(source)))))


def render_markdown(source: str, audience: str = "learner", diagrams: bool = True, scope: str = "") -> str:
    """Render Markdown for an audience ('learner' hides trainer notes, 'trainer' shows them).

    Diagram includes are expanded after sanitising; pass diagrams=False to keep them as empty slots
    (for a caller that rewrites the text first, like the glossary linker) and expand them later."""
    html = _render_slots(source, audience)
    return expand_diagrams(html, scope) if diagrams else html


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


# ---------------------------------------------------------------- slide blocks

@dataclass(frozen=True)
class SlideBlock:
    """A `!!! slide` callout: the projected slide of its `##` section."""

    line: int  # 1-based line of the `!!! slide` opener in the source it was found in
    title: str | None
    body: str  # the callout's Markdown, dedented
    start: int  # index of the opener among the source's lines
    end: int  # index just past the block's last indented line

    @property
    def text(self) -> str:
        """Return the body without its diagram include lines."""
        return "".join(line for line in self.body.splitlines(keepends=True) if include_name(line) is None)

    @property
    def diagrams(self) -> list[str]:
        """Return the names of the diagrams the slide includes, in order."""
        return [name for name in map(include_name, self.body.splitlines()) if name is not None]

    @property
    def word_count(self) -> int:
        """Return the words of body text (diagram lines and Markdown markup do not count)."""
        return count_words(self.text)


def count_words(markdown_text: str) -> int:
    """Count the words a reader sees in some Markdown (link targets, markup and list markers are not words)."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown_text)
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.MULTILINE)
    return len(_WORD.findall(text))


def _dedent(line: str) -> str:
    """Remove one level of callout indentation."""
    return line[1:] if line.startswith("\t") else line[4:] if line.startswith("    ") else line.lstrip(" ")


def slide_blocks(source: str) -> list[SlideBlock]:
    """Return every `!!! slide` block in some Markdown (never one inside a fenced code block)."""
    lines = source.splitlines(keepends=True)
    blocks, in_fence, index = [], False, 0
    while index < len(lines):
        line = lines[index]
        if line.strip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _SLIDE_START.match(line)
        if not match:
            index += 1
            continue
        end = index + 1
        last = index + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(("    ", "\t"))):
            end += 1
            if lines[end - 1].strip():
                last = end
        body = "".join(_dedent(raw) if raw.strip() else "\n" for raw in lines[index + 1 : last])
        blocks.append(SlideBlock(index + 1, match.group(1), body, index, last))
        index = last
    return blocks


def split_slide(source: str) -> tuple[str, SlideBlock | None]:
    """Return a section's Markdown without its slide block, and the block (None when it has none)."""
    blocks = slide_blocks(source)
    if not blocks:
        return source, None
    lines = source.splitlines(keepends=True)
    block = blocks[0]
    return "".join(lines[: block.start] + lines[block.end :]), block


def split_h2(source: str) -> list[Section]:
    """Cut Markdown at `##` headings only, keeping every line (joined again, the parts give the source)."""
    sections: list[Section] = []
    title, buffer, in_fence = "", [], False
    for line in source.splitlines(keepends=True):
        if line.strip().startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading and len(heading.group(1)) == 2:
            if buffer:
                sections.append(Section(title, "".join(buffer)))
            title, buffer = heading.group(2), []
        buffer.append(line)
    if buffer:
        sections.append(Section(title, "".join(buffer)))
    return sections


def key_points(source: str) -> str:
    """Turn each slide block into a compact 'Key points' callout for the module page.

    Self-paced learners get the same summary the room sees projected, as a recap beside the prose.
    A diagram the section's prose already shows is not repeated inside the box."""
    if "!!!" not in source:
        return source
    out = []
    for section in split_h2(source):
        prose, block = split_slide(section.markdown)
        if block is None:
            out.append(section.markdown)
            continue
        shown = {include_name(line) for line in prose.splitlines()} - {None}
        body = [line for line in block.body.splitlines(keepends=True) if include_name(line) not in shown]
        lines = section.markdown.splitlines(keepends=True)
        if "".join(body).strip():
            callout = ['!!! key-points "Key points"\n'] + [f"    {line}" if line.strip() else "\n" for line in body]
        else:
            callout = []
        out.append("".join(lines[: block.start] + callout + lines[block.end :]))
    return "".join(out)
