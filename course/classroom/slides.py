"""Cut a module into projected slides, each with the trainer notes that belong to it.

A `##` section with a `!!! slide` block is projected as that block (at most 40 words, with its
diagrams), and the section's prose becomes the trainer notes. A section without one falls back to
cutting at `##` headings and `---` rules, with its trainer-note callouts as the notes. Every module
opens with a title slide: its title, day, minutes and objectives.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markupsafe import escape

from ..curriculum.diagrams import diagram_set, drop_slots, get_diagram, include_name, slot_names
from ..curriculum.render import (
    SlideBlock,
    drop_leading_title,
    render_markdown,
    split_h2,
    split_sections,
    split_slide,
    strip_trainer_notes,
    trainer_notes_markdown,
)
from ..module_files import Module
from ..objectives.services import OBJECTIVES


@dataclass(frozen=True)
class Slide:
    """One projected slide: learner HTML for the screen, trainer-note HTML for the console."""

    index: int
    title: str
    html: str
    notes_html: str
    layout: str = "text"  # title | text | split (text left, diagram right) | diagram (alone)


@dataclass(frozen=True)
class _ModuleFacts:
    """What the title slide says about a module (hashable, for the cache)."""

    title: str
    summary: str
    day: int
    minutes: int
    prework: bool
    objectives: tuple[int, ...]


def _figures(names: list[str], index: int) -> str:
    """Return the figures for a slide's diagrams (ids scoped to the slide, so current and next never clash)."""
    out = []
    for number, name in enumerate(names, 1):
        diagram = get_diagram(name)
        if diagram is None:
            out.append(f'<p class="diagram-missing">The diagram “{escape(name)}” is missing.</p>')
        else:
            out.append(diagram.figure(f"dg-s{index}-{number}-", words=False))
    return "".join(out)


def _layout(index: int, title: str, text_html: str, names: list[str]) -> tuple[str, str]:
    """Lay out a slide: text left and diagram right, a large diagram alone, or text alone."""
    has_text = bool(text_html.strip())
    layout = "split" if has_text and names else "diagram" if names else "text"
    parts = [f'<div class="slide-layout slide-layout--{layout}">',
             f'<h2 class="slide-layout__title">{escape(title)}</h2>']
    if has_text:
        parts.append(f'<div class="slide-layout__text">{text_html}</div>')
    if names:
        parts.append(f'<div class="slide-layout__art">{_figures(names, index)}</div>')
    parts.append("</div>")
    return "".join(parts), layout


def _without_heading(markdown: str) -> str:
    """Drop a section's `##` heading line: the slide and the console already show the title."""
    lines = markdown.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.strip():
            return "".join(lines[index + 1 :]) if line.lstrip().startswith("## ") else markdown
    return markdown


def _notes(markdown: str) -> str:
    """Render a section's prose as trainer notes (diagrams stay on the slide, not in the notes)."""
    markdown = "".join(line for line in markdown.splitlines(keepends=True) if include_name(line) is None)
    return render_markdown(markdown, "trainer", diagrams=False) if markdown.strip() else ""


def _authored(index: int, title: str, prose: str, block: SlideBlock) -> Slide:
    """Build the slide of a section that has a `!!! slide` block."""
    text = render_markdown(block.text, "learner", diagrams=False) if block.text.strip() else ""
    html, layout = _layout(index, block.title or title, text, block.diagrams)
    return Slide(index, block.title or title, html, _notes(_without_heading(prose)), layout)


def _cut(index: int, title: str, markdown: str) -> Slide:
    """Build a fallback slide from a cut of learner text (its diagrams move to the art column)."""
    html = render_markdown(_without_heading(strip_trainer_notes(markdown)), "learner", diagrams=False)
    names = slot_names(html)
    body, layout = _layout(index, title, drop_slots(html), names)
    notes = trainer_notes_markdown(markdown)
    return Slide(index, title, body, render_markdown(notes, "trainer", diagrams=False) if notes.strip() else "", layout)


def _title_slide(facts: _ModuleFacts, notes_html: str) -> Slide:
    """Return the opening slide: the module title, its day and minutes, and its objectives."""
    when = f"Day {facts.day} · {'pre-work, ' if facts.prework else ''}{facts.minutes} minutes"
    items = "".join(f'<li><span class="slide-objectives__num">{n}</span> {escape(OBJECTIVES[n][0])}</li>'
                    for n in facts.objectives if n in OBJECTIVES)
    html = (f'<div class="slide-layout slide-layout--title"><p class="slide-layout__kicker">{escape(when)}</p>'
            f'<h2 class="slide-layout__title">{escape(facts.title)}</h2>'
            + (f'<div class="slide-layout__text"><p class="slide-objectives__head">Objectives</p>'
               f'<ul class="slide-objectives">{items}</ul></div>' if items else "")
            + "</div>")
    summary = f'<p class="notes-summary">{escape(facts.summary)}</p>' if facts.summary else ""
    return Slide(0, facts.title, html, summary + notes_html, "title")


def _append_notes(slides: list[Slide], notes_html: str) -> None:
    """Add notes to the last slide (for a part that is only trainer notes)."""
    last = slides[-1]
    slides[-1] = Slide(last.index, last.title, last.html, last.notes_html + notes_html, last.layout)


@lru_cache(maxsize=64)
def _deck(body: str, facts: _ModuleFacts, _diagrams: tuple) -> tuple[Slide, ...]:
    """Build the slides for a module body (cached per body text and diagram files, so edits show at once)."""
    parts = split_h2(drop_leading_title(body))
    authored = any(split_slide(part.markdown)[1] for part in parts)
    intro_notes = ""
    slides: list[Slide] = []
    for number, part in enumerate(parts):
        prose, block = split_slide(part.markdown)
        if block is not None:
            slides.append(_authored(len(slides) + 1, part.title or facts.title, prose, block))
        elif number == 0 and not part.title and (authored or not strip_trainer_notes(prose).strip()):
            intro_notes = _notes(prose)  # the opening prose is for readers; in class it is the title slide's notes
        else:
            for section in split_sections(part.markdown):
                if strip_trainer_notes(section.markdown).strip():
                    slides.append(_cut(len(slides) + 1, section.title or facts.title, section.markdown))
                elif slides:  # only trainer notes: they join the slide before
                    notes = trainer_notes_markdown(section.markdown)
                    _append_notes(slides, render_markdown(notes, "trainer", diagrams=False) if notes.strip() else "")
                else:
                    intro_notes += _notes(section.markdown)
    return (_title_slide(facts, intro_notes), *slides)


def deck(module: Module) -> tuple[Slide, ...]:
    """Return the module's slides in order."""
    facts = _ModuleFacts(module.title, module.summary, module.day, module.minutes, module.prework,
                         tuple(module.objectives))
    return _deck(module.body, facts, _diagrams_version())


def _diagrams_version() -> tuple:
    """Return something that changes whenever a diagram file changes (part of the deck's cache key)."""
    found = diagram_set()
    return tuple(sorted((d.name, hash(d.svg)) for d in found.diagrams.values()))


def clamp_index(module: Module, index: int) -> int:
    """Return the index limited to the module's slides."""
    return max(0, min(index, len(deck(module)) - 1))
