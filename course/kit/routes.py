"""Kit pages: each part on its own, and the whole kit on one page for printing."""
from flask import abort, render_template
from markupsafe import Markup, escape

from ..curriculum.diagrams import get_diagram
from ..curriculum.services import get_module
from ..security import roles_required
from . import bp
from .services import (
    TEMPLATES,
    agenda_note,
    card_pages,
    expected_pages,
    families,
    family,
    key_pages,
    module_guide,
    module_guides,
    role_plays,
    schedule,
    statement_parts,
)


def _diagram(name: str, scope: str) -> Markup:
    """Return a diagram as a figure for a kit page (ids scoped so several on one page never clash)."""
    found = get_diagram(name)
    if found is None:
        return Markup(f'<p class="diagram-missing">The diagram “{escape(name)}” is missing: run the content check.</p>')
    return Markup(found.figure(f"dg-{scope}-", words=False))


def _kit(**parts):
    """Return the template context every kit page shares."""
    note, followup = agenda_note()
    return {"note": note, "followup": followup, "templates": TEMPLATES, "statement_parts": statement_parts(),
            "card_pages": card_pages, "key_pages": key_pages, "diagram": _diagram,
            "family_titles": {v.id: v.title for v in families()}, **parts}


@bp.route("/")
@roles_required("trainer")
def index():
    """The kit's contents, with a link to print it all."""
    return render_template("kit/index.html", **_kit(guides=module_guides(), plays=role_plays(), families=families(),
                                                   days=schedule(), pages=expected_pages()))


@bp.route("/facilitation")
@roles_required("trainer")
def facilitation():
    """Every module's facilitation guide."""
    return render_template("kit/part.html",
                           **_kit(part="facilitation", title="Facilitation guides", guides=module_guides()))


@bp.route("/facilitation/<module_id>")
@roles_required("trainer")
def facilitation_module(module_id: str):
    """One module's facilitation guide."""
    module = get_module(module_id)
    if module is None:
        abort(404)
    guide = module_guide(module_id)
    return render_template("kit/part.html", **_kit(part="facilitation", guides=[guide] if guide else [],
                                                  title=f"Facilitation guide: {module.title}"))


@bp.route("/templates/<slug>")
@roles_required("trainer")
def template(slug: str):
    """A blank template or worksheet."""
    if slug not in TEMPLATES:
        abort(404)
    return render_template("kit/part.html", **_kit(part="template", slug=slug, title=TEMPLATES[slug][0]))


@bp.route("/role-plays")
@roles_required("trainer")
def role_play_cards():
    """The role-play cards, one role play to a page."""
    return render_template("kit/part.html", **_kit(part="role-plays", title="Role-play cards", plays=role_plays()))


@bp.route("/fact-cards/<vignette_id>")
@roles_required("trainer")
def fact_cards(vignette_id: str):
    """A family's fact cards, with cut lines."""
    found = family(vignette_id)
    if found is None:
        abort(404)
    return render_template("kit/part.html",
                           **_kit(part="fact-cards", title=f"Fact cards: {found.title}", families=[found]))


@bp.route("/answer-keys/<vignette_id>")
@roles_required("trainer")
def answer_key(vignette_id: str):
    """A family's answer key: each fact's column and why, and the model statements."""
    found = family(vignette_id)
    if found is None:
        abort(404)
    return render_template("kit/part.html",
                           **_kit(part="answer-keys", title=f"Answer key: {found.title}", families=[found]))


@bp.route("/agenda")
@roles_required("trainer")
def agenda():
    """The two-day agenda with breaks and lunch."""
    return render_template("kit/part.html", **_kit(part="agenda", title="Agenda", days=schedule()))


@bp.route("/print")
@roles_required("trainer")
def print_all():
    """The whole kit on one page, each part starting a new printed page."""
    return render_template("kit/print.html", **_kit(title="Trainer's kit", guides=module_guides(), plays=role_plays(),
                                                   families=families(), days=schedule(),
                                                   pages=expected_pages()))
