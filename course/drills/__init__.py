"""Rewrite drills: turn one vague, jargon-filled or judgmental sentence into plain, specific words."""
from flask import Blueprint

bp = Blueprint("drills", __name__, url_prefix="/drills")

from . import routes  # noqa: E402,F401


@bp.record_once
def _add_growth_csv(state) -> None:
    """Offer the pilot report's growth section as a CSV beside the report's other tables."""
    from ..pilot.exports import SectionTable, register_table
    from .growth import GROWTH_HEADER, growth_rows

    register_table(state.app, "growth", SectionTable("Did drafts improve? Growth per statement kind",
                                                     GROWTH_HEADER, growth_rows))
