"""Course diagrams: accessible SVG files in `content/diagrams/`, validated, and inlined as figures.

A module line `[[diagram: NAME]]` includes `content/diagrams/NAME.svg`. The include is expanded after
the Markdown is sanitised (nh3 would strip inline SVG), so each file is checked here instead: it must
parse as XML, carry role="img" with a title and a real description, and load nothing from outside
(no scripts, no style attributes, no event handlers, no external links), since a Content Security
Policy of `default-src 'self'` is coming.
"""
from __future__ import annotations

import itertools
import re
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from ..config import REPO_ROOT
from ..content_files import CachedFileSet, Problem, display_path

NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A whole Markdown line that includes a diagram, and anything that looks like an attempt at one.
INCLUDE_LINE = re.compile(r"^\s*\[\[\s*diagram\s*:\s*([^\]]*?)\s*\]\]\s*$")
INCLUDE_ANYWHERE = re.compile(r"\[\[\s*diagram\b", re.IGNORECASE)
# After Markdown and nh3, an include line is a paragraph of its own: swap it for an empty slot first,
# so nothing that rewrites text later (the glossary linker) can reach into the name or the SVG.
INCLUDE_PARAGRAPH = re.compile(r"<p>\s*\[\[\s*diagram\s*:\s*([a-z0-9-]+)\s*\]\]\s*</p>")
SLOT = re.compile(r'<figure class="diagram-slot" data-diagram="([a-z0-9-]+)"></figure>')

FORBIDDEN_ELEMENTS = {"script", "foreignObject", "image", "iframe", "object", "embed", "style", "audio", "video",
                      "canvas", "a"}
MIN_DESC_WORDS = 20
GENERIC_DESCRIPTIONS = re.compile(r"^(an?|the)\s+(diagram|image|picture|figure|graphic)\b[^.]*\.?$", re.IGNORECASE)
SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Diagram:
    """One SVG diagram: its name, title, text alternative and markup."""

    name: str
    title: str
    desc: str
    svg: str
    path: str

    def markup(self, prefix: str) -> str:
        """Return the SVG with every id (and each reference to one) given a prefix, so copies never clash."""
        ids = set(re.findall(r'\bid="([^"]+)"', self.svg))

        def rename(match: re.Match) -> str:
            return match.group(1) + " ".join(prefix + token if token in ids else token
                                             for token in match.group(2).split()) + '"'

        svg = re.sub(r'(\b(?:id|aria-labelledby|aria-describedby)=")([^"]*)"', rename, self.svg)
        def local(template: str):
            return lambda m: template.format(prefix + m.group(1)) if m.group(1) in ids else m.group(0)

        svg = re.sub(r"url\(#([^)]+)\)", local("url(#{})"), svg)
        return re.sub(r'href="#([^"]+)"', local('href="#{}"'), svg)

    def figure(self, prefix: str, words: bool = True) -> str:
        """Return the diagram as a figure with a visible caption.

        On reading pages (`words`) the drawing sits in a keyboard-scrollable region, because on a phone it
        keeps a readable size and scrolls sideways, and the figure offers the diagram in words as well."""
        art = self.markup(prefix)
        if not words:
            return (f'<figure class="diagram diagram--{self.name}"><div class="diagram__art">{art}</div>'
                    f'<figcaption class="diagram__caption">{escape(self.title)}</figcaption></figure>')
        return (f'<figure class="diagram diagram--{self.name}">'
                f'<div class="diagram__art diagram__art--scroll" role="region" tabindex="0" '
                f'aria-label="Diagram (scrolls sideways on small screens)">{art}</div>'
                f'<figcaption class="diagram__caption">{escape(self.title)}</figcaption>'
                f'<details class="diagram__words"><summary>The diagram in words</summary><p>{escape(self.desc)}</p>'
                "</details></figure>")


# ---------------------------------------------------------------- reading and checking one file

@dataclass
class _Element:
    """An element met while parsing, with its line."""

    tag: str
    attrs: dict[str, str]
    line: int
    depth: int
    text: str = ""


def _parse(text: str, shown: str) -> tuple[list[_Element], list[Problem]]:
    """Parse SVG text into elements with their lines, refusing DOCTYPEs and entity declarations."""
    parser = xml.parsers.expat.ParserCreate()
    elements: list[_Element] = []
    stack: list[_Element] = []
    problems: list[Problem] = []

    def start(tag, attrs):
        element = _Element(tag, dict(attrs), parser.CurrentLineNumber, len(stack))
        elements.append(element)
        stack.append(element)

    def end(_tag):
        stack.pop()

    def data(chars):
        if stack:
            stack[-1].text += chars

    def doctype(*_args):
        problems.append(Problem(shown, parser.CurrentLineNumber,
                                "remove the DOCTYPE: diagrams are plain SVG with no DTD"))

    def entity(*_args):
        problems.append(Problem(shown, parser.CurrentLineNumber, "remove the entity declaration: write the text out"))

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.StartDoctypeDeclHandler, parser.EntityDeclHandler = doctype, entity
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        return [], [Problem(shown, exc.lineno, f"not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)}, "
                                                f"column {exc.offset + 1}): fix the markup so the file parses")]
    return elements, problems


def _local(name: str) -> str:
    """Return a tag or attribute name without its prefix ('xlink:href' -> 'href')."""
    return name.rsplit(":", 1)[-1]


def _is_external(value: str) -> bool:
    """Return whether a link or url() value points outside the file."""
    return not value.strip().startswith("#")


def _element_problems(element: _Element, shown: str) -> list[Problem]:
    """Return the problems with one element: forbidden tags, styles, handlers, external references."""
    problems = []
    tag = _local(element.tag)
    if tag in FORBIDDEN_ELEMENTS:
        problems.append(Problem(shown, element.line, f"<{tag}> is not allowed in a diagram (no scripts, styles, links, "
                                                     "embedded images or HTML): draw it with SVG shapes and text"))
    for name, value in element.attrs.items():
        local = _local(name).lower()
        if local == "style":
            problems.append(Problem(shown, element.line, f"<{tag}> has a style attribute: use presentation "
                                                         "attributes (fill, stroke, font-size) or a class styled "
                                                         "in course/static/css"))
        elif local.startswith("on"):
            problems.append(Problem(shown, element.line,
                                    f"<{tag}> has an event handler ({name}): remove it, diagrams run no script"))
        elif local in ("href", "src") and _is_external(value):
            problems.append(Problem(shown, element.line, f"<{tag}> {name}=\"{value}\" points outside the file: "
                                                         "only '#id' references inside the diagram are allowed"))
        elif any(not ref.startswith("#") for ref in re.findall(r"url\(\s*['\"]?([^)'\"]*)", value)):
            problems.append(Problem(shown, element.line, f"<{tag}> {name} uses an external url(): "
                                                         "only url(#id) references inside the diagram are allowed"))
    return problems


def _accessibility_problems(elements: list[_Element], shown: str) -> list[Problem]:
    """Return problems with the root's role, title, description and text."""
    root = elements[0]
    problems = []
    if _local(root.tag) != "svg":
        return [Problem(shown, root.line, f"the root element is <{root.tag}>: a diagram file holds one <svg>")]
    if root.attrs.get("xmlns") != SVG_NS:
        problems.append(Problem(shown, root.line, f'add xmlns="{SVG_NS}" to the <svg> element'))
    if root.attrs.get("role") != "img":
        problems.append(Problem(shown, root.line,
                                'add role="img" to the <svg> element so it is announced as one picture'))
    if "viewBox" not in root.attrs:
        problems.append(Problem(shown, root.line,
                                "add a viewBox so the diagram scales to the page, the projector and paper"))
    if "width" in root.attrs or "height" in root.attrs:
        problems.append(Problem(shown, root.line,
                                "remove width and height from the <svg>: the viewBox and the page size it"))
    children = [e for e in elements if e.depth == 1]
    title = next((e for e in children if _local(e.tag) == "title"), None)
    desc = next((e for e in children if _local(e.tag) == "desc"), None)
    labelled = root.attrs.get("aria-labelledby", "").split()
    for part, element in (("title", title), ("desc", desc)):
        if element is None or not element.text.strip():
            problems.append(Problem(shown, root.line, f"add a <{part}> with text as a direct child of the <svg>"))
        elif not element.attrs.get("id") or element.attrs["id"] not in labelled:
            problems.append(Problem(shown, element.line, f'give the <{part}> an id and list it in the <svg>\'s '
                                                         'aria-labelledby (title first, then desc)'))
    if desc is not None and desc.text.strip():
        words = desc.text.split()
        if len(words) < MIN_DESC_WORDS or GENERIC_DESCRIPTIONS.match(" ".join(words)):
            problems.append(Problem(shown, desc.line, f"the <desc> must say what the diagram shows in words (at "
                                                      f"least {MIN_DESC_WORDS} words), not just that it is a diagram"))
    if not any(_local(e.tag) == "text" and e.text.strip() for e in elements):
        problems.append(Problem(shown, root.line, "write the diagram's labels as <text> elements, not as paths"))
    return problems


def check_svg(path: Path) -> list[Problem]:
    """Return every problem with one diagram file (an empty list when it is fine)."""
    shown = display_path(path)
    if not NAME_PATTERN.match(path.stem):
        return [Problem(shown, 1, "name diagram files in lower-case words joined by hyphens, like 'safety-house.svg'")]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(shown, 1, f"not valid UTF-8 text ({exc.reason})")]
    elements, problems = _parse(text, shown)
    if not elements:
        return problems or [Problem(shown, 1, "the file holds no SVG: add an <svg> element")]
    problems += _accessibility_problems(elements, shown)
    for element in elements:
        problems += _element_problems(element, shown)
    return problems


def _load(path: Path) -> Diagram:
    """Build a Diagram from a file that passed its checks."""
    text = path.read_text(encoding="utf-8")
    elements, _ = _parse(text, display_path(path))
    children = {(_local(e.tag)): e for e in reversed(elements) if e.depth == 1}
    svg = text[text.index("<svg"):].strip()
    return Diagram(path.stem, " ".join(children["title"].text.split()), " ".join(children["desc"].text.split()),
                   svg, display_path(path))


# ---------------------------------------------------------------- the library

@dataclass(frozen=True)
class DiagramSet:
    """Every valid diagram in a folder, by name, and the problems with the others."""

    diagrams: dict[str, Diagram]
    problems: tuple[Problem, ...]


def _parse_folder(paths: list[Path]) -> DiagramSet:
    """Check every file; keep the valid ones."""
    diagrams, problems = {}, []
    for path in paths:
        found = check_svg(path)
        if found:
            problems.extend(found)
        else:
            diagrams[path.stem] = _load(path)
    return DiagramSet(diagrams, tuple(problems))


_sets: dict[str, CachedFileSet[DiagramSet]] = {}


def diagram_dir() -> Path:
    """Return the diagrams folder of the running app's content (or the repository's, outside an app)."""
    from flask import current_app, has_app_context

    content = current_app.config["CONTENT_DIR"] if has_app_context() else REPO_ROOT / "content"
    return Path(content) / "diagrams"


def diagram_set(directory: str | Path | None = None) -> DiagramSet:
    """Return the diagrams in a folder, reparsed only when a file changes."""
    key = str(directory or diagram_dir())
    if key not in _sets:
        _sets[key] = CachedFileSet(key, "*.svg", _parse_folder)
    return _sets[key].get()


def get_diagram(name: str, directory: str | Path | None = None) -> Diagram | None:
    """Return one diagram by name, or None."""
    return diagram_set(directory).diagrams.get(name)


# ---------------------------------------------------------------- including diagrams in HTML

def mark_slots(html: str) -> str:
    """Replace each include paragraph in sanitised HTML with an empty slot (filled by expand_diagrams)."""
    return INCLUDE_PARAGRAPH.sub(lambda m: f'<figure class="diagram-slot" data-diagram="{m.group(1)}"></figure>', html)


def expand_diagrams(html: str, scope: str = "", words: bool = True) -> str:
    """Fill each diagram slot with its figure; `scope` keeps ids unique when several renders share a page."""
    counter = itertools.count(1)

    def figure(match: re.Match) -> str:
        diagram = get_diagram(match.group(1))
        if diagram is None:
            return (f'<p class="diagram-missing">The diagram “{escape(match.group(1))}” is missing: '
                    "run `flask --app wsgi content check` to see which name is wrong.</p>")
        return diagram.figure(f"dg{scope}-{next(counter)}-", words)

    return SLOT.sub(figure, html)


def slot_names(html: str) -> list[str]:
    """Return the names of the diagram slots in some HTML, in order."""
    return SLOT.findall(html)


def drop_slots(html: str) -> str:
    """Remove every diagram slot from some HTML."""
    return SLOT.sub("", html)


def include_name(line: str) -> str | None:
    """Return the diagram name a Markdown line includes, or None when the line is not an include."""
    match = INCLUDE_LINE.match(line)
    return match.group(1) if match else None
