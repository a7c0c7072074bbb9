"""What a session leaves behind: a CSV and a Markdown summary of its activities, responses and game scores.

Built when the session ends (or expires), before its live data is deleted, and kept for
LIVE_EXPORT_DAYS for the cohort's trainers. Nothing in it names a participant: responses are
"Response 3", players "Player 2", and no account or display name is read here.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..curriculum.render import render_markdown
from ..curriculum.services import get_module
from ..database import utcnow
from ..extensions import db
from ..models import Cohort
from ..models.classroom import ClassSession, GameAnswer, LiveActivity, LiveResponse, ReviewGame, SessionExport
from ..timezones import localtime
from ..vignettes import CATEGORIES, CATEGORY_LABELS, get_vignette
from .activities import TEXT_KINDS, activity_head, tallies
from .game import scores
from .services import COUNTERS, bump, delete_live_data
from .words import word_summary

HEADER = ["record", "activity", "title", "kind", "case", "item", "text", "value", "detail"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
VERDICTS = {"ready": "ready", "revise": "revise"}


def _cell(value) -> object:
    """Return a CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _verdict(response: LiveResponse) -> str:
    """Return the grader's verdict on a response in words (blank for answers it does not read)."""
    if response.grader_state != "done" or not response.report:
        return {"unavailable": "grader not available", "error": "grader could not check it"}.get(
            response.grader_state, "")
    return VERDICTS.get(response.report.get("verdict"), str(response.report.get("verdict") or ""))


def _shown(response: LiveResponse, wall_open: bool) -> str:
    """Return what the trainer did with a response, in words."""
    if response.dismissed:
        return "set aside"
    parts = ["approved" if response.approved else "not approved"]
    if response.spotlight or (response.approved and wall_open):
        parts.append("on the screen")
    if response.revision > 1:
        parts.append(f"revised {response.revision - 1} time{'s' if response.revision > 2 else ''}")
    return "; ".join(parts)


def _activity_records(number: int, activity: LiveActivity) -> tuple[list[list], list[str]]:
    """Return (CSV rows, Markdown lines) for one activity."""
    vignette = None if activity.kind == "question" else get_vignette(activity.vignette_id)
    base = activity_head(activity, vignette) if (vignette or activity.kind == "question") else {
        "title": f"Activity on {activity.vignette_id}", "prompt": ""}
    title, case = base["title"], activity.vignette_id or ""
    label = f"Activity {number}"
    rows: list[list] = []
    lines = [f"## {label}: {title}", ""]
    if base["prompt"]:
        lines += [f"> {base['prompt']}", ""]
    if activity.kind in TEXT_KINDS:
        responses = list(db.session.scalars(select(LiveResponse).where(LiveResponse.activity_id == activity.id)
                                            .order_by(LiveResponse.seq)))
        rows.append(["activity", label, title, activity.kind, case, "prompt", base["prompt"], len(responses), ""])
        lines.append(f"{_count(len(responses), 'response')}, {sum(r.approved for r in responses)} approved.")
        lines.append("")
        for r in responses:
            verdict = _verdict(r)
            shown = _shown(r, activity.show_approved)
            rows.append(["response", label, title, activity.kind, case, f"Response {r.seq}", r.text, verdict, shown])
            lines.append(f"- **Response {r.seq}**{f' ({verdict})' if verdict else ''}, {shown}: "
                         f"{_markdown_text(r.text)}")
        summary = word_summary([r.text for r in responses if r.approved and not r.dismissed])
        if summary["words"]:
            top = ", ".join(f"{w['word']} ({w['count']})" for w in summary["words"])
            rows.append(["words", label, title, activity.kind, case, "most used words (approved answers)", top,
                         summary["answers"], ""])
            lines += ["", f"Most used words in the approved answers: {top}."]
    elif vignette is not None:
        counts, sent = tallies(activity, vignette)
        rows.append(["activity", label, title, activity.kind, case, "maps sent", "", sent, ""])
        lines += [f"{_count(sent, 'map')} sent.", "", "| Fact | " + " | ".join(CATEGORY_LABELS[c] for c in CATEGORIES)
                  + " | Answer |", "|---" * (len(CATEGORIES) + 2) + "|"]
        for index, fact in enumerate(vignette.mapping_facts, 1):
            tally = counts[fact.id]
            placed = "; ".join(f"{CATEGORY_LABELS[c]} {tally[c]}" for c in CATEGORIES if tally[c])
            answer = CATEGORY_LABELS.get(fact.category, fact.category)
            rows.append(["map_fact", label, title, activity.kind, case, f"Fact {index}", fact.text, placed,
                         f"answer: {answer}"])
            lines.append(f"| {index}. {_markdown_text(fact.text)} | "
                         + " | ".join(str(tally[c]) for c in CATEGORIES) + f" | {answer} |")
    lines.append("")
    return rows, lines


def _game_records(number: int, game: ReviewGame) -> tuple[list[list], list[str]]:
    """Return (CSV rows, Markdown lines) for one review game: scores, then each question played."""
    label = f"Game {number}"
    title = "Review game (" + ("teams" if game.mode == "teams" else "individual players") + ")"
    rows: list[list] = []
    lines = [f"## {label}: {title}", "", "| Place | Team or player | Points |", "|---|---|---|"]
    for place, row in enumerate(scores(game), 1):
        rows.append(["game_score", label, title, game.mode, "", row["label"], "", row["score"], f"place {place}"])
        lines.append(f"| {place} | {_markdown_text(row['label'])} | {row['score']} |")
    lines.append("")
    answers = dict(((clue, choice), n) for clue, choice, n in db.session.execute(
        select(GameAnswer.clue_id, GameAnswer.choice, func.count()).where(GameAnswer.game_id == game.id)
        .group_by(GameAnswer.clue_id, GameAnswer.choice)).all())
    used = set(game.used_clues or [])
    for category in game.board:
        for clue in category["clues"]:
            if clue["id"] not in used:
                continue
            total = sum(n for (clue_id, _c), n in answers.items() if clue_id == clue["id"])
            right = answers.get((clue["id"], clue["answer"]), 0)
            where = f"{category['category']} · {clue['points']}"
            rows.append(["game_question", label, title, game.mode, "", where, clue["prompt"],
                         f"{right} of {total} right", f"answer: {clue['options'][clue['answer']]}"])
            answer = _markdown_text(clue["options"][clue["answer"]])
            lines.append(f"- **{_markdown_text(where)}**: {_markdown_text(clue['prompt'])} "
                         f"({right} of {total} answers right; answer: {answer})")
    lines.append("")
    return rows, lines


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """Return '1 response' or '3 responses'."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _markdown_text(text: str) -> str:
    """Return text safe inside a Markdown list item or table cell: one line, Markdown's own characters escaped,
    and <, > and & as entities (Markdown has no backslash escape for them), so it reads back as the same text."""
    flat = " ".join((text or "").split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in ("\\", "|", "*", "_", "`", "[", "]", "{", "}", "#", "!"):
        flat = flat.replace(char, "\\" + char)
    return flat


def summary_html(export: SessionExport) -> str:
    """Return the Markdown summary as sanitised HTML for the export page (its title line is the page's h1)."""
    body = export.markdown_text.split("\n", 1)[1] if export.markdown_text.startswith("# ") else export.markdown_text
    return render_markdown(body, "trainer", diagrams=False)


def session_title(session: ClassSession) -> str:
    """Return a session's name in the export list: 'Day 1 · Welcome and Course Map'."""
    module = get_module(session.module_id)
    return f"Day {session.day} · {module.title if module else session.module_id}"


def build_export(session: ClassSession, ended_by_id: int | None) -> SessionExport:
    """Store the session's CSV and Markdown summary (the caller commits); run before its live data is deleted."""
    cohort = db.session.get(Cohort, session.cohort_id)
    ended = session.ended_at or utcnow()
    title = session_title(session)
    rows: list[list] = []
    body: list[str] = []
    activities = list(db.session.scalars(select(LiveActivity).where(LiveActivity.session_id == session.id)
                                         .order_by(LiveActivity.id)))
    for number, activity in enumerate(activities, 1):
        more_rows, more_lines = _activity_records(number, activity)
        rows += more_rows
        body += more_lines
    games = list(db.session.scalars(select(ReviewGame).where(ReviewGame.session_id == session.id)
                                    .order_by(ReviewGame.id)))
    for number, game in enumerate(games, 1):
        more_rows, more_lines = _game_records(number, game)
        rows += more_rows
        body += more_lines
    responses = sum(1 for r in rows if r[0] == "response")
    when = f"{localtime(session.created_at, 'datetime', cohort)} to {localtime(ended, 'time', cohort)}"
    head = [f"# Classroom session: {_markdown_text(cohort.name if cohort else '')}, {title}", "",
            f"{when}. {_count(len(activities), 'activity', 'activities')}, "
            f"{_count(responses, 'response')}, {_count(len(games), 'game')}.", "",
            "Responses are shown without names. This summary is kept for "
            f"{current_app.config['LIVE_EXPORT_DAYS']} days after the session.", ""]
    if not activities and not games:
        head += ["Nothing was run in this session: no activities and no games.", ""]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows([[_cell(c) for c in row] for row in rows])
    export = SessionExport(
        cohort_id=session.cohort_id, title=title, started_at=session.created_at, ended_at=ended,
        ended_by_id=ended_by_id, csv_text=out.getvalue(), markdown_text="\n".join(head + body).rstrip() + "\n",
        summary={"activities": len(activities), "responses": responses, "games": len(games)},
        expires_at=ended + timedelta(days=current_app.config["LIVE_EXPORT_DAYS"]),
    )
    db.session.add(export)
    db.session.flush()
    return export


def end_session(session: ClassSession, ended_by_id: int | None) -> SessionExport:
    """End a session: keep its summary, delete its responses, games and scores, stop every screen and expire its
    codes (the caller commits). Participants stay until the purge, so a phone that was in it is told it ended."""
    session.ended_at = utcnow()
    export = build_export(session, ended_by_id)
    delete_live_data(session.id, keep_participants=True)
    session.activity_id = None
    session.game_id = None
    bump(session, *COUNTERS)
    return export


def purge_expired() -> int:
    """Summarise sessions that expired unended, then delete them and sessions ended over an hour ago, and drop
    exports past their keeping time; return how many sessions went (the caller commits)."""
    now = utcnow()
    for session in db.session.scalars(select(ClassSession).where(ClassSession.expires_at <= now,
                                                                 ClassSession.ended_at.is_(None))):
        session.ended_at = session.expires_at
        build_export(session, None)  # expiry, like ending, never loses the room's work unsummarised
    stale = list(db.session.scalars(select(ClassSession.id).where(
        or_(ClassSession.expires_at <= now, ClassSession.ended_at <= now - timedelta(hours=1)))))
    for session_id in stale:
        delete_live_data(session_id)
    if stale:
        db.session.execute(delete(ClassSession).where(ClassSession.id.in_(stale)))
    purge_exports()
    return len(stale)


def purge_exports() -> int:
    """Delete exports past their keeping time; return how many (the caller commits)."""
    return db.session.execute(delete(SessionExport).where(SessionExport.expires_at <= utcnow())).rowcount or 0


def exports_for(cohort_ids: list[int]) -> list[SessionExport]:
    """Return the kept exports of these cohorts, newest first."""
    if not cohort_ids:
        return []
    return list(db.session.scalars(select(SessionExport).where(SessionExport.cohort_id.in_(cohort_ids),
                                                               SessionExport.expires_at > utcnow())
                                   .order_by(SessionExport.ended_at.desc())))
