"""Cut a module into projected slides, each with the trainer notes that belong to it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..curriculum.loader import Module
from ..curriculum.render import render_markdown, split_sections, strip_trainer_notes, trainer_notes_markdown


@dataclass(frozen=True)
class Slide:
    """One projected slide: learner HTML for the screen, trainer-note HTML for the console."""

    index: int
    title: str
    html: str
    notes_html: str


@lru_cache(maxsize=64)
def _deck(body: str, title: str, summary: str) -> tuple[Slide, ...]:
    """Build the slides for a module body (cached per body text, so edits show at once)."""
    slides: list[Slide] = []
    for section in split_sections(body):
        learner = strip_trainer_notes(section.markdown)
        notes = trainer_notes_markdown(section.markdown)
        if not learner.strip():
            # A section that is only trainer notes is not projected: its notes join the slide before.
            if slides:
                last = slides[-1]
                slides[-1] = Slide(
                    last.index, last.title, last.html, last.notes_html + render_markdown(notes, "trainer")
                )
            else:  # the opening part holds only the title and timing notes: make it a title slide
                slides.append(_title_slide(title, summary, notes))
            continue
        slides.append(Slide(len(slides), section.title or title, render_markdown(learner, "learner"),
                            render_markdown(notes, "trainer") if notes.strip() else ""))
    if not slides:
        slides.append(_title_slide(title, summary, ""))
    return tuple(slides)


def _title_slide(title: str, summary: str, notes: str) -> Slide:
    """Return the opening slide: the module title and its summary."""
    html = f'<h1>{_escape(title)}</h1><p class="slide-summary">{_escape(summary)}</p>'
    return Slide(0, title, html, render_markdown(notes, "trainer") if notes.strip() else "")


def _escape(text: str) -> str:
    """Escape text for HTML."""
    from markupsafe import escape

    return str(escape(text))


def deck(module: Module) -> tuple[Slide, ...]:
    """Return the module's slides in order."""
    return _deck(module.body, module.title, module.summary)


def clamp_index(module: Module, index: int) -> int:
    """Return the index limited to the module's slides."""
    return max(0, min(index, len(deck(module)) - 1))
