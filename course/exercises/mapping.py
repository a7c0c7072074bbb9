"""Mapping pages: the board (placed facts, entries in the learner's own words, the scale), its saves, the results.

The board is one plain form that works without JavaScript; mapping.js adds dragging, autosave,
conflict handling and restore. Every save sends the whole board with its revision (board.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import grading
from ..curriculum.render import render_markdown
from ..database import utcnow
from ..extensions import db
from ..models import MapBoard, MappingAttempt
from ..ratelimit import RateLimitResult, wait_words
from ..vignettes import CATEGORIES, CATEGORY_LABELS, MAP_COLUMN_LABELS, MAP_COLUMNS, Vignette
from . import bp
from .board import (
    MAX_ENTRIES_PER_COLUMN,
    MAX_ENTRY_CHARS,
    BoardInputError,
    BoardState,
    StaleBoard,
    board_revisions,
    check_board_entries,
    check_problems,
    entries_by_column,
    get_board,
    merge_states,
    progress_of,
    record_attempt,
    restore_revision,
    revision_state,
    save_board,
    state_dict,
    state_from_form,
    state_from_json,
    state_of,
    unchecked_entries,
)
from .forms import BoardForm, fact_field_name
from .services import mapping_attempts, score_mapping, vignette_or_404
from .statements import json_login_required

# The map's three questions, each over the columns it holds, then the grey area (SOP primer section 3).
MAP_GROUPS = (
    ("What are we worried about?", ("harm", "danger", "complicating")),
    ("What's working well?", ("strength", "safety")),
    ("What needs to happen?", ("needs",)),
    ("What is unclear?", ("grey",)),
)
COLUMN_HINTS = {
    "harm": "What a caregiver did or did not do that hurt the child, and the effect.",
    "danger": "What could happen to the child next if nothing changes.",
    "complicating": "What makes things harder but is not the harm or danger itself.",
    "strength": "What is going well: people, skills, resources.",
    "safety": "Protective actions already taken, and who has seen them.",
    "needs": "Safety goals in short form, and next steps.",
    "grey": "What is unclear, disputed or not known yet.",
}


@dataclass(frozen=True)
class EntryView:
    """An entry as the board shows it: its text and, when checked, the report of exactly that text."""

    key: str
    column: str
    text: str
    report: dict | None = None


# ---------------------------------------------------------------- helpers for the templates

def saved_ago(when: datetime | None, now: datetime | None = None) -> str:
    """Return 'Saved just now', 'Saved 2 min ago', 'Saved 3 h ago' or 'Saved on Mon 3 Mar 2027'."""
    if when is None:
        return "Not saved yet"
    seconds = max(0, ((now or utcnow()) - when).total_seconds())
    if seconds < 60:
        return "Saved just now"
    if seconds < 3600:
        return f"Saved {int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"Saved {int(seconds // 3600)} h ago"
    return f"Saved on {when.strftime('%a %-d %b %Y')}"


def map_status(vignette_id: str) -> str:
    """Return the learner's map status for the case sidebar: when it was saved, or 'Not started'."""
    board = get_board(current_user.id, vignette_id)
    return saved_ago(board.saved_at) if board is not None and board.saved_at else "Not started"


@bp.context_processor
def board_helpers():
    """Expose the map's status, column names and finding labels to the exercise templates."""
    return {"map_status": map_status, "saved_ago": saved_ago, "column_labels": MAP_COLUMN_LABELS}


# ---------------------------------------------------------------- the board page

def entry_views(state: BoardState, board: MapBoard | None) -> dict[str, list[EntryView]]:
    """Group the shown entries by column, each with its saved report when the saved text is the same."""
    saved = {e.key: e for e in board.entries} if board is not None else {}
    views = []
    for entry in state.entries:
        kept = saved.get(entry.key)
        report = kept.report if kept is not None and kept.text == entry.text else None
        views.append(EntryView(entry.key, entry.column, entry.text, report))
    return {c: [v for v in views if v.column == c] for c in MAP_COLUMNS}


def _board_page(vignette: Vignette, board: MapBoard | None, state: BoardState, *, problems: dict | None = None,
                error: str | None = None, conflict: str | None = None, status: int = 200):
    """Render the board showing `state`; the revision and base are the saved board's, so a save builds on it."""
    saved = state_of(board)
    problems = problems or {}
    placed = {c: [f for f in vignette.mapping_facts if state.placements.get(f.id) == c] for c in CATEGORIES}
    pool = [f for f in vignette.mapping_facts if state.placements.get(f.id) not in CATEGORIES]
    numbers = {f.id: n for n, f in enumerate(vignette.mapping_facts, start=1)}
    return render_template(
        "exercises/mapping.html", vignette=vignette, groups=MAP_GROUPS, hints=COLUMN_HINTS, state=state,
        placed=placed, pool=pool, numbers=numbers, entries=entry_views(state, board), fact_field=fact_field_name,
        categories=CATEGORIES, category_labels=CATEGORY_LABELS, problems=problems, error=error, conflict=conflict,
        revision=board.revision if board is not None else 0, base=json.dumps(state_dict(saved)),
        versions=len(board_revisions(board)),
        saved_at=board.saved_at if board is not None else None, progress=progress_of(vignette, state.placements,
                                                                                   state.entries),
        max_entry_chars=MAX_ENTRY_CHARS, columns=MAP_COLUMNS, max_entries=MAX_ENTRIES_PER_COLUMN,
        narrative=render_markdown(vignette.narrative), attempts=mapping_attempts(current_user.id, vignette.id),
    ), status


def check_within_limit(vignette: Vignette, board: MapBoard) -> tuple[RateLimitResult | None, str | None]:
    """Check the board's new or edited entries unless the learner is over the grading rate limit.

    Returns (the refusal, None) when over the limit, else (None, the grader's message when it could not run).
    """
    if not unchecked_entries(board):
        return None, None
    refused = grading.rate_refusal(current_user.id)
    if refused is not None:
        return refused, None
    return None, check_board_entries(vignette, board)


def _paused(refused: RateLimitResult) -> str:
    """The message for a save whose entries were not checked because of the rate limit."""
    return (f"{grading.RATE_MESSAGE} Your map is saved; its entries are checked when it saves again in "
            f"{wait_words(refused.retry_after)} or later.")


def _with_action(state: BoardState, action: str) -> BoardState:
    """Apply an entry button: 'remove:<key>' drops it; 'up:<key>' and 'down:<key>' move it within its column."""
    verb, _, key = action.partition(":")
    entries = list(state.entries)
    index = next((i for i, e in enumerate(entries) if e.key == key), None)
    if index is None or verb not in ("remove", "up", "down"):
        return state
    if verb == "remove":
        del entries[index]
        return replace(state, entries=tuple(entries))
    column = entries[index].column
    same = [i for i, e in enumerate(entries) if e.column == column]
    at = same.index(index)
    other = at - 1 if verb == "up" else at + 1
    if 0 <= other < len(same):
        j = same[other]
        entries[index], entries[j] = entries[j], entries[index]
    return replace(state, entries=tuple(entries))


def _anchor(action: str, before: BoardState) -> str:
    """Return where the page should open after a plain-form save: the column just changed, or the status."""
    if action.startswith("add:") and action[4:] in MAP_COLUMNS:
        return f"#column-{action[4:]}"
    verb, _, key = action.partition(":")
    if verb in ("remove", "up", "down"):
        column = next((e.column for e in before.entries if e.key == key), None)
        if column:
            return f"#column-{column}"
    return "#board-status"


def _posted_base(vignette: Vignette) -> BoardState | None:
    """Return the board the plain form was built from (its hidden `base`), or None when it cannot be read."""
    try:
        data = json.loads(request.form.get("base") or "null")
        return state_from_json(vignette, data) if isinstance(data, dict) else None
    except (ValueError, BoardInputError):
        return None


def _stale_page(vignette: Vignette, state: BoardState, exc: StaleBoard):
    """Show the newer saved board with this page's changes added to it, ready to save (409)."""
    db.session.rollback()
    board = get_board(current_user.id, vignette.id)
    base = _posted_base(vignette)
    shown = merge_states(base, state, state_of(board)) if base is not None else state
    return _board_page(vignette, board, shown, conflict=str(exc), status=409)


@bp.route("/<vignette_id>/mapping", methods=["GET", "POST"])
@login_required
def mapping(vignette_id: str):
    """The board as a plain form: every button saves the whole board first; Check my map then scores it."""
    vignette = vignette_or_404(vignette_id)
    board = get_board(current_user.id, vignette.id)
    if request.method == "GET":
        return _board_page(vignette, board, state_of(board))
    form = BoardForm()
    if not form.validate_on_submit():
        return _board_page(vignette, board, state_of(board), status=400,
                           error="The form could not be read. Reload the page and try again.")
    # A post without a button (a script, or an older page) checks the map, as this page always has.
    action = request.form.get("action", "check")
    try:
        posted = state_from_form(vignette, request.form, fact_field_name)
    except BoardInputError as exc:
        return _board_page(vignette, board, state_of(board), error=str(exc), status=422)
    state = _with_action(posted, action)
    try:
        saved = save_board(current_user.id, vignette, state, form.revision_number,
                           source="check" if action == "check" else "save")
    except StaleBoard as exc:
        return _stale_page(vignette, state, exc)
    db.session.commit()  # saved before grading (a named exception to one commit a request): no failure loses it
    refused, grader_error = check_within_limit(vignette, saved.board)
    if refused is not None:
        grader_error = _paused(refused)
    if action == "check":
        problems = check_problems(vignette, state)
        if problems:
            db.session.commit()
            return _board_page(vignette, saved.board, state, problems=problems, status=422)
        attempt = record_attempt(current_user.id, vignette, saved.board)
        db.session.commit()
        return redirect(url_for(".mapping_result", vignette_id=vignette.id, attempt_id=attempt.id))
    db.session.commit()
    flash(f"Saved. {grader_error}" if grader_error else "Saved.", "warning" if grader_error else "success")
    return redirect(url_for(".mapping", vignette_id=vignette.id) + _anchor(action, posted))


# ---------------------------------------------------------------- saving from the page script

def board_json(board: MapBoard | None) -> dict:
    """Return the saved board for the page script: revision, when saved, the state and each entry's flags."""
    flags = {}
    for entry in board.entries if board is not None else []:
        if entry.report is not None:
            flags[entry.key] = render_template("exercises/_entry_flags.html", entry=entry, report=entry.report,
                                              prefix=f"f-{entry.key}")
    return {"revision": board.revision if board is not None else 0,
            "saved_at": board.saved_at.isoformat() if board is not None and board.saved_at else None,
            "saved_label": saved_ago(board.saved_at if board is not None else None),
            "state": state_dict(state_of(board)), "flags": flags, "versions": len(board_revisions(board))}


def _json_error(message: str, status: int, code: str):
    """Stop the request with a JSON error the page script shows."""
    abort(make_response(jsonify(error=message, code=code), status))


def _json_source() -> str:
    """Return how the page saved: 'save' when the learner pressed Save my map, else 'autosave'."""
    data = request.get_json(silent=True)
    return "save" if isinstance(data, dict) and data.get("source") == "save" else "autosave"


def _read_board_json(vignette: Vignette) -> tuple[BoardState, int]:
    """Read the board and its revision from a JSON body; answer 400 or 422 with a message otherwise."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        _json_error('Send the board as a JSON object: {"revision": 0, "placements": {}, "entries": []}.', 400,
                    "invalid")
    revision = data.get("revision")
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
        _json_error("Send the revision the page was showing, as a whole number. Reload the page if unsure.", 400,
                    "invalid")
    try:
        return state_from_json(vignette, data), revision
    except BoardInputError as exc:
        _json_error(f"Not saved: {exc}", 422, "invalid")
    raise AssertionError("unreachable")  # _json_error always raises


def _json_conflict(vignette: Vignette, exc: StaleBoard):
    """Answer 409 with the saved board, so the page can load the newer version."""
    db.session.rollback()
    return jsonify(error=str(exc), code="stale", server=board_json(get_board(current_user.id, vignette.id))), 409


@bp.route("/<vignette_id>/mapping/autosave", methods=["POST"])
@json_login_required
def mapping_autosave(vignette_id: str):
    """Save the whole board if the revision is current; 409 with the saved board when it is not."""
    vignette = vignette_or_404(vignette_id)
    state, revision = _read_board_json(vignette)
    try:
        saved = save_board(current_user.id, vignette, state, revision, source=_json_source())
    except StaleBoard as exc:
        return _json_conflict(vignette, exc)
    db.session.commit()
    return jsonify(saved=True, changed=saved.changed, **board_json(saved.board))


@bp.route("/<vignette_id>/mapping/check", methods=["POST"])
@json_login_required
def mapping_check(vignette_id: str):
    """Save the board, then check each new or edited entry for labels, jargon and judgement."""
    vignette = vignette_or_404(vignette_id)
    state, revision = _read_board_json(vignette)
    try:
        saved = save_board(current_user.id, vignette, state, revision, source=_json_source())
    except StaleBoard as exc:
        return _json_conflict(vignette, exc)
    db.session.commit()  # saved before grading (a named exception to one commit a request): no failure loses it
    refused, grader_error = check_within_limit(vignette, saved.board)
    if refused is not None:
        response = jsonify(saved=True, changed=saved.changed, error=_paused(refused), code="rate_limited",
                           retry_after=refused.retry_after, **board_json(saved.board))
        response.status_code, response.headers["Retry-After"] = 429, str(refused.retry_after)
        return response
    db.session.commit()
    return jsonify(saved=True, changed=saved.changed, grader_error=grader_error, **board_json(saved.board))


@bp.route("/<vignette_id>/mapping/saved")
@json_login_required
def mapping_saved(vignette_id: str):
    """Return the saved board, so a tab coming back into view can tell whether another tab saved since."""
    vignette = vignette_or_404(vignette_id)
    return jsonify(**board_json(get_board(current_user.id, vignette.id)))


# ---------------------------------------------------------------- earlier versions

@dataclass(frozen=True)
class KeptView:
    """A kept copy as the list shows it: when, how it was saved, and what it held."""

    id: int
    saved_at: datetime
    source: str
    placed: int
    entries: dict[str, list[str]]
    scale: int | None
    current: bool


SOURCE_LABELS = {"autosave": "Saved as you worked", "save": "Saved with Save my map", "check": "Saved when checked",
                 "restore": "Restored from an earlier version"}


def kept_views(vignette: Vignette, board: MapBoard | None) -> list[KeptView]:
    """Return the board's kept copies for the list, newest first; the first is the board as it is now."""
    views = []
    for index, kept in enumerate(board_revisions(board)):
        state = revision_state(vignette, kept)
        entries = {c: [e.text for e in state.entries if e.column == c] for c in MAP_COLUMNS}
        views.append(KeptView(kept.id, kept.saved_at, kept.source, len(state.placements),
                              {c: texts for c, texts in entries.items() if texts}, state.scale, index == 0))
    return views


@bp.route("/<vignette_id>/mapping/versions")
@login_required
def mapping_versions(vignette_id: str):
    """List the kept copies of the learner's map, each with what it held and a button to restore it."""
    vignette = vignette_or_404(vignette_id)
    board = get_board(current_user.id, vignette.id)
    return render_template("exercises/mapping_versions.html", vignette=vignette, versions=kept_views(vignette, board),
                           revision=board.revision if board is not None else 0, total=len(vignette.mapping_facts),
                           source_labels=SOURCE_LABELS, form=BoardForm())


@bp.route("/<vignette_id>/mapping/versions/<int:kept_id>/restore", methods=["POST"])
@login_required
def mapping_restore(vignette_id: str, kept_id: int):
    """Make a kept copy the newest version of the map; the version it replaces stays in the list."""
    vignette = vignette_or_404(vignette_id)
    form = BoardForm()
    if not form.validate_on_submit():
        flash("The form could not be read. Reload the page and try again.", "error")
        return redirect(url_for(".mapping_versions", vignette_id=vignette.id))
    try:
        saved = restore_revision(current_user.id, vignette, kept_id, form.revision_number)
    except LookupError:
        abort(404)
    except StaleBoard:
        db.session.rollback()
        flash("Your map changed since this list was opened (in another tab or window), so nothing was restored. "
              "Look at the list again, then restore.", "warning")
        return redirect(url_for(".mapping_versions", vignette_id=vignette.id))
    db.session.commit()
    flash("Restored that version. The version you had before is kept in the list." if saved.changed
          else "That version is the same as your map now, so nothing changed.", "success")
    return redirect(url_for(".mapping", vignette_id=vignette.id) + "#board-status")


# ---------------------------------------------------------------- results

@bp.route("/<vignette_id>/mapping/<int:attempt_id>")
@login_required
def mapping_result(vignette_id: str, attempt_id: int):
    """One checked map: right or wrong per fact with each explanation, then the learner's map beside the model."""
    vignette = vignette_or_404(vignette_id)
    attempt = db.session.get(MappingAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.vignette_id != vignette.id:
        abort(404)
    results, correct, total = score_mapping(vignette, attempt.placements)
    by_column = {c: [r for r in results if r.fact.category == c] for c in CATEGORIES}
    entries = attempt.entries or []
    progress = progress_of(vignette, attempt.placements, entries)
    return render_template("exercises/mapping_result.html", vignette=vignette, attempt=attempt, results=results,
                           by_column=by_column, correct=correct, total=total, groups=MAP_GROUPS,
                           columns=MAP_COLUMNS, mine=entries_by_column(entries), progress=progress,
                           empty_labels=[MAP_COLUMN_LABELS[c] for c in progress.empty_columns],
                           attempts=mapping_attempts(current_user.id, vignette.id))
