"""The mapping board as saved: placed facts, the learner's own entries and the safety scale, with revisions.

A board is one row per learner and vignette. Every save sends the whole board with the revision it
was based on; a save from an older copy (another tab or window) is refused with the saved copy, so
nothing is overwritten unseen. Each entry keeps the grader's report of exactly its text: an edited
entry loses its report until it is checked again. Services flush; the views commit.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import grading
from ..database import utcnow
from ..extensions import db
from ..models import MapBoard, MapBoardRevision, MapEntry, MappingAttempt
from ..numbers import plain_int
from ..vignettes import CATEGORIES, MAP_COLUMN_LABELS, MAP_COLUMNS, Vignette
from .services import score_mapping

MAX_ENTRY_CHARS = 200  # one short point, like the model map's entries (at most 25 words)
MAX_ENTRIES_PER_COLUMN = 10
MAX_REASON_CHARS = 2000
KEY_PATTERN = re.compile(r"[a-z0-9]{1,16}")
REVISION_GAP = timedelta(minutes=2)  # autosaves within this time of a copy's first save share that copy
MAX_REVISIONS = 40  # kept copies per board; the oldest go first
REVISION_SOURCES = ("autosave", "save", "check", "restore")


@dataclass(frozen=True)
class Entry:
    """One entry as the page sends it: its key, its column and its text."""

    key: str
    column: str
    text: str


@dataclass(frozen=True)
class BoardState:
    """Everything a save writes: placements (fact id -> column), entries in order, the scale and its reason."""

    placements: dict[str, str] = field(default_factory=dict)
    entries: tuple[Entry, ...] = ()
    scale: int | None = None
    scale_reason: str = ""


class BoardInputError(ValueError):
    """The board sent cannot be saved as it is; the message says what to change."""


class StaleBoard(Exception):
    """The learner saved from an older copy of the board: another tab or window saved since."""

    def __init__(self, board: MapBoard | None):
        super().__init__(
            "This map was changed in another tab or window since this page loaded, so this change was not saved. "
            "Load the newer version: the changes made here can be added to it."
        )
        self.board = board


@dataclass
class BoardSave:
    """The outcome of a save: the board and whether anything changed."""

    board: MapBoard
    changed: bool


# ---------------------------------------------------------------- reading what the page sent

def new_key() -> str:
    """Return a fresh entry key (the page makes its own the same way)."""
    return secrets.token_hex(6)


def column_label(column: str) -> str:
    """Return a map column's name ('What needs to happen')."""
    return MAP_COLUMN_LABELS[column]


def clean_text(text: str) -> str:
    """Return an entry's text on one line, without extra spaces."""
    return " ".join(text.split())


def clean_placements(vignette: Vignette, raw: Mapping) -> dict[str, str]:
    """Keep each known fact's column; '' means not placed; anything else is refused."""
    placements = {}
    for fact in vignette.mapping_facts:
        value = raw.get(fact.id, "")
        if value in ("", None):
            continue
        if value not in CATEGORIES:
            raise BoardInputError(f"{str(value)[:40]!r} is not a column of the map; choose one from the fact's menu.")
        placements[fact.id] = value
    return placements


def clean_entries(raw: list[tuple[str, str, str]]) -> tuple[Entry, ...]:
    """Check each (key, column, text): a known column, a plain key, a short text; drop empty entries."""
    entries, keys, per_column = [], set(), dict.fromkeys(MAP_COLUMNS, 0)
    for key, column, text in raw:
        if column not in MAP_COLUMNS or not KEY_PATTERN.fullmatch(key) or key in keys:
            raise BoardInputError("An entry on this map is damaged. Reload the page and add it again.")
        text = clean_text(text)
        if not text:
            continue
        if len(text) > MAX_ENTRY_CHARS:
            raise BoardInputError(
                f"An entry in {column_label(column)} is {len(text)} characters long; keep each entry to "
                f"{MAX_ENTRY_CHARS} characters (one short point), or split it into two entries.")
        per_column[column] += 1
        if per_column[column] > MAX_ENTRIES_PER_COLUMN:
            raise BoardInputError(f"{column_label(column)} has more than {MAX_ENTRIES_PER_COLUMN} entries; "
                                  "join or remove some, then save again.")
        keys.add(key)
        entries.append(Entry(key, column, text))
    return tuple(entries)


def clean_scale(value) -> int | None:
    """Return the scale as 0-10, None when not chosen; refuse anything else."""
    if value in (None, ""):
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else plain_int(value, 2)
    if number is None or not 0 <= number <= 10:
        raise BoardInputError("Choose a number from 0 to 10 on the safety scale.")
    return number


def clean_reason(value) -> str:
    """Return the scale's reason, refusing one that is too long."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if len(text) > MAX_REASON_CHARS:
        raise BoardInputError(f"Keep the reason for your number under {MAX_REASON_CHARS:,} characters.")
    return text


def state_from_json(vignette: Vignette, data: Mapping) -> BoardState:
    """Read a board from the page's JSON; raise BoardInputError for a shape the page never sends."""
    placements, entries = data.get("placements", {}), data.get("entries", [])
    if not isinstance(placements, dict) or not isinstance(entries, list):
        raise BoardInputError("Send placements as an object and entries as a list.")
    raw = []
    for item in entries:
        values = [item.get(name) for name in ("key", "column", "text")] if isinstance(item, dict) else [None]
        if not all(isinstance(v, str) for v in values):
            raise BoardInputError("Each entry needs a key, a column and a text.")
        raw.append(tuple(values))
    reason = data.get("scale_reason", "")
    if not isinstance(reason, str):
        raise BoardInputError("Send the reason for your number as text.")
    return BoardState(clean_placements(vignette, placements), clean_entries(raw), clean_scale(data.get("scale")),
                      clean_reason(reason))


def state_from_form(vignette: Vignette, form: Mapping, fact_field) -> BoardState:
    """Read a board from the plain form: fact menus, entry boxes (entry-<key>), the add boxes (new-<column>)."""
    placements = clean_placements(vignette, {f.id: form.get(fact_field(f.id), "") for f in vignette.mapping_facts})
    raw = []
    for name in form:
        if name.startswith("entry-") and name.endswith("-text"):
            key = name[len("entry-"):-len("-text")]
            raw.append((key, form.get(f"entry-{key}-column", ""), form.get(name, "")))
    for column in MAP_COLUMNS:  # typed in an add box: saved with any button, so nothing typed is lost
        for text in form.getlist(f"new-{column}") if hasattr(form, "getlist") else [form.get(f"new-{column}", "")]:
            raw.append((new_key(), column, text))
    return BoardState(placements, clean_entries(raw), clean_scale(form.get("scale")),
                      clean_reason(form.get("scale_reason", "")))


# ---------------------------------------------------------------- saving

def get_board(user_id: int, vignette_id: str) -> MapBoard | None:
    """Return the learner's saved board for a vignette, if any."""
    return db.session.scalar(select(MapBoard).where(MapBoard.user_id == user_id, MapBoard.vignette_id == vignette_id))


def state_of(board: MapBoard | None) -> BoardState:
    """Return a saved board as a BoardState (an empty one when nothing is saved)."""
    if board is None:
        return BoardState()
    entries = tuple(Entry(e.key, e.column_id, e.text) for e in board.entries)
    return BoardState(dict(board.placements or {}), entries, board.scale, board.scale_reason or "")


def save_board(user_id: int, vignette: Vignette, state: BoardState, revision: int,
               source: str = "autosave") -> BoardSave:
    """Save the whole board if the learner's revision is current, keeping a copy; raise StaleBoard otherwise."""
    board = get_board(user_id, vignette.id)
    if board is None:
        board = _create(user_id, vignette, state, revision)
        keep_revision(board, source)
        return BoardSave(board, changed=True)
    if state_of(board) == state:
        if source != "autosave":
            _seal_latest(board, source)
        return BoardSave(board, changed=False)  # the same board from either tab: nothing to resolve
    if board.revision != revision:
        raise StaleBoard(board)
    # Compare-and-set in one statement, so two tabs saving at once cannot both win.
    result = db.session.execute(
        update(MapBoard)
        .where(MapBoard.id == board.id, MapBoard.revision == revision)
        .values(placements=state.placements, scale=state.scale, scale_reason=state.scale_reason,
                revision=MapBoard.revision + 1, saved_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(board)
    if result.rowcount != 1:
        raise StaleBoard(board)
    _sync_entries(board, state.entries)
    keep_revision(board, source)
    return BoardSave(board, changed=True)


def _create(user_id: int, vignette: Vignette, state: BoardState, revision: int) -> MapBoard:
    """Create the learner's first saved board; a second tab that created it first wins."""
    if revision != 0:
        raise StaleBoard(None)
    board = MapBoard(user_id=user_id, vignette_id=vignette.id, placements=state.placements, scale=state.scale,
                     scale_reason=state.scale_reason, revision=1, saved_at=utcnow())
    db.session.add(board)
    try:
        db.session.flush()
    except IntegrityError:  # another tab created it a moment ago
        db.session.rollback()
        raise StaleBoard(get_board(user_id, vignette.id)) from None
    _sync_entries(board, state.entries)
    return board


def _sync_entries(board: MapBoard, entries: tuple[Entry, ...]) -> None:
    """Make the board's entries match the saved state; a changed text drops its report."""
    existing = {e.key: e for e in board.entries}
    wanted = {e.key for e in entries}
    for key, entry in existing.items():
        if key not in wanted:
            db.session.delete(entry)
    db.session.flush()  # free removed keys before adding any again
    for position, item in enumerate(entries):
        entry = existing.get(item.key)
        if entry is None:
            db.session.add(MapEntry(board=board, key=item.key, column_id=item.column, position=position,
                                    text=item.text))
            continue
        if entry.text != item.text:
            entry.report = None
        entry.text, entry.column_id, entry.position = item.text, item.column, position
    db.session.flush()
    db.session.refresh(board, ["entries"])


# ---------------------------------------------------------------- kept copies (earlier versions)

def state_dict(state: BoardState) -> dict:
    """Return a board state as plain data (what a kept copy stores and the page script sends)."""
    return {"placements": dict(state.placements), "scale": state.scale, "scale_reason": state.scale_reason,
            "entries": [{"key": e.key, "column": e.column, "text": e.text} for e in state.entries]}


def _latest_kept(board: MapBoard) -> MapBoardRevision | None:
    """Return the board's newest kept copy."""
    return db.session.scalar(select(MapBoardRevision).where(MapBoardRevision.board_id == board.id)
                             .order_by(MapBoardRevision.id.desc()).limit(1))


def _seal_latest(board: MapBoard, source: str) -> None:
    """Mark the newest copy as saved on purpose (Save my map on an unchanged map), so autosaves start a new one."""
    latest = _latest_kept(board)
    if latest is not None and latest.source == "autosave":
        latest.source = source
        db.session.flush()


def keep_revision(board: MapBoard, source: str) -> MapBoardRevision:
    """Keep a copy of the board as just saved; autosaves within a couple of minutes of a copy's start update it."""
    now = board.saved_at or utcnow()
    latest = _latest_kept(board)
    data = state_dict(state_of(board))
    if (latest is not None and source == "autosave" and latest.source == "autosave"
            and now - latest.started_at < REVISION_GAP):
        latest.state, latest.revision, latest.saved_at = data, board.revision, now
        db.session.flush()
        return latest
    kept = MapBoardRevision(board_id=board.id, revision=board.revision, source=source, state=data, started_at=now,
                            saved_at=now)
    db.session.add(kept)
    db.session.flush()
    old = db.session.scalars(select(MapBoardRevision).where(MapBoardRevision.board_id == board.id)
                             .order_by(MapBoardRevision.id.desc()).offset(MAX_REVISIONS)).all()
    for row in old:
        db.session.delete(row)
    db.session.flush()
    return kept


def board_revisions(board: MapBoard | None) -> list[MapBoardRevision]:
    """Return the board's kept copies, newest first."""
    if board is None:
        return []
    return list(db.session.scalars(select(MapBoardRevision).where(MapBoardRevision.board_id == board.id)
                                   .order_by(MapBoardRevision.id.desc())))


def revision_state(vignette: Vignette, kept: MapBoardRevision) -> BoardState:
    """Return a kept copy as a BoardState (facts the case no longer has are left out)."""
    data = kept.state or {}
    placements = {k: v for k, v in (data.get("placements") or {}).items()
                  if k in {f.id for f in vignette.mapping_facts} and v in CATEGORIES}
    entries = tuple(Entry(e["key"], e["column"], e["text"]) for e in data.get("entries") or []
                    if e.get("column") in MAP_COLUMNS)
    return BoardState(placements, entries, data.get("scale"), data.get("scale_reason") or "")


def restore_revision(user_id: int, vignette: Vignette, kept_id: int, revision: int) -> BoardSave:
    """Save a kept copy as the board's newest version (the current one stays in the list); LookupError if not theirs."""
    board = get_board(user_id, vignette.id)
    kept = db.session.get(MapBoardRevision, kept_id)
    if board is None or kept is None or kept.board_id != board.id:
        raise LookupError(kept_id)
    return save_board(user_id, vignette, revision_state(vignette, kept), revision, source="restore")


# ---------------------------------------------------------------- merging two copies

def merge_states(base: BoardState, mine: BoardState, theirs: BoardState) -> BoardState:
    """Add the changes made since `base` in `mine` to the newer saved `theirs`; nothing either side did is lost."""
    placements = dict(theirs.placements)
    for fact_id in set(base.placements) | set(mine.placements):
        if mine.placements.get(fact_id) != base.placements.get(fact_id):
            if fact_id in mine.placements:
                placements[fact_id] = mine.placements[fact_id]
            else:
                placements.pop(fact_id, None)
    return BoardState(
        placements,
        _merge_entries(base.entries, mine.entries, theirs.entries),
        mine.scale if mine.scale != base.scale else theirs.scale,
        mine.scale_reason if mine.scale_reason != base.scale_reason else theirs.scale_reason,
    )


def _merge_entries(base: tuple[Entry, ...], mine: tuple[Entry, ...], theirs: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """Keep their entries, with mine edited or removed where I changed them, then my new ones."""
    old = {e.key: e for e in base}
    now = {e.key: e for e in mine}
    merged = []
    for entry in theirs:
        if entry.key in old and entry.key not in now:
            continue  # removed here
        changed = entry.key in now and now[entry.key] != old.get(entry.key)
        merged.append(now[entry.key] if changed else entry)
    kept = {e.key for e in merged}
    for entry in mine:  # added here, or edited here after the other copy removed it
        if entry.key not in kept and entry != old.get(entry.key):
            merged.append(entry)
    return tuple(merged)


# ---------------------------------------------------------------- checking entries

def unchecked_entries(board: MapBoard) -> list[MapEntry]:
    """Return the entries whose text has not been checked yet."""
    return [e for e in board.entries if e.report is None and e.text.strip()]


def keep_report(entry: MapEntry, text: str, report: dict) -> bool:
    """Store a report on the entry only if its text is still the one that was graded."""
    result = db.session.execute(
        update(MapEntry).where(MapEntry.id == entry.id, MapEntry.text == text).values(report=report)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(entry)
    return result.rowcount == 1


def check_board_entries(vignette: Vignette, board: MapBoard) -> str | None:
    """Check each entry not checked yet for labels, jargon and judgement; return a message when grading cannot run.

    Call it after the board is committed (and counted against the grading rate limit): grading is slow
    and may fail, and the board is already safe.
    """
    for entry in unchecked_entries(board):
        text = entry.text
        try:
            report = grading.grade("plain_language", text, vignette=vignette)
        except grading.GradingUnavailable as exc:
            if exc.status == 503:
                return ("Feedback is unavailable right now, so your entries were not checked. Your map is saved; "
                        "the entries are checked the next time it saves.")
            return f"{exc} Your map is saved."
        keep_report(entry, text, report)
    return None


# ---------------------------------------------------------------- completion and tries

@dataclass(frozen=True)
class Progress:
    """How far a map is: facts still to place and columns with no entry of the learner's own."""

    unplaced: int
    empty_columns: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Return whether the model map may be shown (every fact placed, an entry in every column)."""
        return not self.unplaced and not self.empty_columns


def progress_of(vignette: Vignette, placements: Mapping, entries) -> Progress:
    """Return how far a map is, from its placements and its entries (dicts or Entry items with a column)."""
    unplaced = sum(1 for f in vignette.mapping_facts if placements.get(f.id) not in CATEGORIES)
    filled = {e["column"] if isinstance(e, dict) else e.column for e in entries}
    return Progress(unplaced, tuple(c for c in MAP_COLUMNS if c not in filled))


def check_problems(vignette: Vignette, state: BoardState) -> dict[str, list[str]]:
    """Return what stops checking the map: fact ids without a column, a missing scale or reason."""
    problems: dict[str, list[str]] = {}
    missing = [f.id for f in vignette.mapping_facts if f.id not in state.placements]
    if missing:
        problems["facts"] = missing
    if state.scale is None:
        problems["scale"] = ["Choose a number from 0 to 10."]
    if not state.scale_reason:
        problems["scale_reason"] = ["Say in a sentence or two why you chose that number."]
    return problems


def record_attempt(user_id: int, vignette: Vignette, board: MapBoard) -> MappingAttempt:
    """Score the saved board's facts and keep it as a try, with the learner's entries as they are now.

    Checking a map that is the same as the last try (a double click, a resent form) returns that try.
    """
    placements = dict(board.placements or {})
    _, correct, total = score_mapping(vignette, placements)
    entries = [{"column": e.column_id, "text": e.text, "report": e.report} for e in board.entries]
    latest = db.session.scalar(select(MappingAttempt).where(
        MappingAttempt.user_id == user_id, MappingAttempt.vignette_id == vignette.id
    ).order_by(MappingAttempt.id.desc()).limit(1))
    if latest is not None and (latest.placements, latest.scale, latest.scale_reason, latest.entries) == (
            placements, board.scale, board.scale_reason, entries):
        return latest
    attempt = MappingAttempt(user_id=user_id, vignette_id=vignette.id, placements=placements, correct=correct,
                             total=total, scale=board.scale, scale_reason=board.scale_reason, entries=entries)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def entries_by_column(entries) -> dict[str, list]:
    """Group entries (dicts from a try, or MapEntry rows) by map column, in order."""
    grouped: dict[str, list] = {c: [] for c in MAP_COLUMNS}
    for entry in entries:
        column = entry["column"] if isinstance(entry, dict) else entry.column_id
        if column in grouped:
            grouped[column].append(entry)
    return grouped
