"""Live practice: statement drafts graded on the learner's device, and the group mapping board.

The projector payloads here never read a user's name: responses are "Response 3", mapping
placements are counted, and nothing else about a learner leaves the console.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grader.vocabulary import kind_label

from .. import grading
from ..curriculum.render import render_markdown
from ..database import utcnow
from ..exercises.services import grade_draft
from ..extensions import db
from ..models import Cohort, User
from ..models.classroom import ClassSession, LiveActivity, LiveResponse
from ..names import Namer
from ..numbers import plain_int
from ..vignettes import CATEGORIES, CATEGORY_LABELS, KINDS, Vignette, all_vignettes, get_vignette
from .services import ClassroomError, bump

STATEMENT_KINDS = KINDS  # learners write the kinds a practice case has prompts for
SUBMIT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# ---------------------------------------------------------------- starting and steering

def vignette_or_error(vignette_id: str) -> Vignette:
    """Return the vignette or refuse with a message."""
    vignette = get_vignette(vignette_id or "")
    if vignette is None:
        raise ClassroomError("Choose one of the practice cases.")
    return vignette


def start_activity(
    session: ClassSession, kind: str, vignette_id: str, statement_kind: str | None = None
) -> LiveActivity:
    """Start a statement or mapping activity and put it on the screen (the caller commits)."""
    vignette = vignette_or_error(vignette_id)
    if kind == "statement":
        if statement_kind not in STATEMENT_KINDS:
            raise ClassroomError(f"Choose what learners write: {', '.join(kind_label(k) for k in STATEMENT_KINDS)}.")
        if statement_kind == "harm" and vignette.danger_only:
            raise ClassroomError(
                f"{vignette.title} has no harm to write about. Pick a danger statement or another case."
            )
    elif kind == "mapping":
        statement_kind = None
    else:
        raise ClassroomError("An activity is either a statement or the mapping board.")
    activity = LiveActivity(session_id=session.id, kind=kind, statement_kind=statement_kind, vignette_id=vignette.id,
                            revealed_facts=[], focus_fact=vignette.mapping_facts[0].id if kind == "mapping" else None)
    db.session.add(activity)
    db.session.flush()
    session.activity_id = activity.id
    session.screen_mode = "activity"
    bump(session, "version", "board_version", "queue_version")
    return activity


def current_activity(session: ClassSession) -> LiveActivity | None:
    """Return the session's current activity, if any."""
    if session.activity_id is None:
        return None
    activity = db.session.get(LiveActivity, session.activity_id)
    return activity if activity is not None and activity.session_id == session.id else None


def _response(activity: LiveActivity, response_id) -> LiveResponse:
    """Return a response of this activity or refuse."""
    digits = str(response_id)
    response = db.session.get(LiveResponse, plain_int(digits)) if plain_int(digits) is not None else None
    if response is None or response.activity_id != activity.id:
        raise ClassroomError("That response is no longer here. Reload the console.", 404)
    return response


def steer(session: ClassSession, action: str, data: dict) -> None:
    """Apply a console action to the current activity (the caller commits)."""
    activity = current_activity(session)
    if activity is None:
        raise ClassroomError("Start an activity first.")
    if action == "lock":
        activity.locked = bool(data.get("value", not activity.locked))
    elif action == "results":
        activity.results_shown = bool(data.get("value", not activity.results_shown))
    elif action in ("spotlight", "marks", "dismiss"):
        response = _response(activity, data.get("response_id"))
        if action == "spotlight":
            response.spotlight = bool(data.get("value", not response.spotlight))
            response.dismissed = False if response.spotlight else response.dismissed
        elif action == "marks":
            response.marks_shown = bool(data.get("value", not response.marks_shown))
        else:
            response.dismissed = bool(data.get("value", True))
            response.spotlight = False if response.dismissed else response.spotlight
        bump(session, "queue_version")
    elif action in ("focus_fact", "reveal_fact"):
        vignette = vignette_or_error(activity.vignette_id)
        fact_id = str(data.get("fact_id", ""))
        if fact_id not in vignette.facts_by_id:
            raise ClassroomError("That fact is not on this map.")
        activity.focus_fact = fact_id
        if action == "reveal_fact":
            revealed = [f for f in activity.revealed_facts or [] if f != fact_id]
            if data.get("value", True):
                revealed.append(fact_id)
            activity.revealed_facts = revealed
    elif action == "close":
        session.activity_id = None
        session.screen_mode = "slides"
    else:
        raise ClassroomError(f"Unknown activity action '{action}'.")
    bump(session, "version")


# ---------------------------------------------------------------- learners submitting

def _clean_placements(vignette: Vignette, placements) -> dict[str, str]:
    """Keep only placements of this map's facts into known columns."""
    if not isinstance(placements, dict):
        raise ClassroomError("Send your map as a set of fact placements.")
    return {fid: cat for fid, cat in placements.items() if fid in vignette.facts_by_id and cat in CATEGORIES}


def submit(session: ClassSession, user: User, activity_id, submit_key: str, text: str | None = None,
           placements: dict | None = None) -> tuple[LiveResponse, bool]:
    """Store a learner's response once per submit key; return (response, changed). The caller commits."""
    activity = current_activity(session)
    if activity is None or str(activity.id) != str(activity_id):
        raise ClassroomError("This activity has finished. Your draft is still saved on this device.", 409)
    if not isinstance(submit_key, str) or not SUBMIT_KEY.match(submit_key):
        raise ClassroomError("The submission is missing its key; reload the page and send it again.")
    existing = _own_response(activity, user)
    if existing is not None and existing.submit_key == submit_key:
        return existing, False  # a retry of a submission we already have
    if activity.locked:
        raise ClassroomError("Your trainer has locked submissions for this activity.", 423)
    if activity.kind == "statement":
        text = (text or "").strip()
        if not text:
            raise ClassroomError("Write your statement first, then send it.")
        if len(text) > grading.max_chars():
            raise ClassroomError(grading.too_long(len(text)), 413)
        placements = {}
    else:
        placements = _clean_placements(vignette_or_error(activity.vignette_id), placements)
        if not placements:
            raise ClassroomError("Place at least one fact on the map first.")
        text = ""
    if existing is not None:
        _revise(existing, submit_key, text, placements)
        response = existing
    else:
        response = _insert(activity, user, submit_key, text, placements)
    counters = ["queue_version", "board_version"]  # the projector shows how many are in
    if response.revision > 1 and (response.spotlight or response.marks_shown):
        counters.append("version")
    bump(session, *counters)
    return response, True


def _revise(response: LiveResponse, submit_key: str, text: str, placements: dict) -> None:
    """Replace a learner's earlier response with the new one; it goes back into the queue."""
    response.submit_key = submit_key
    response.text = text
    response.placements = placements
    response.revision += 1
    response.report = None
    response.grader_state = "pending" if text else "done"
    response.spotlight = False
    response.marks_shown = False
    response.dismissed = False
    response.updated_at = utcnow()


def _insert(activity: LiveActivity, user: User, submit_key: str, text: str, placements: dict) -> LiveResponse:
    """Insert a response with the next anonymous number, retrying if another worker took it."""
    for _attempt in range(5):
        seq = (
            db.session.scalar(select(func.max(LiveResponse.seq)).where(LiveResponse.activity_id == activity.id)) or 0
        ) + 1
        response = LiveResponse(activity_id=activity.id, user_id=user.id, seq=seq, submit_key=submit_key, text=text,
                                placements=placements, grader_state="pending" if text else "done")
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:
            existing = _own_response(activity, user)
            if existing is not None:  # the same learner's retry won the race
                if existing.submit_key != submit_key:
                    _revise(existing, submit_key, text, placements)
                return existing
            continue  # another learner took this number
        return response
    raise ClassroomError("The room is busy; send it again in a moment.", 503)


def _own_response(activity: LiveActivity, user: User) -> LiveResponse | None:
    """Return the learner's response to this activity, if any."""
    return db.session.scalar(select(LiveResponse).where(LiveResponse.activity_id == activity.id,
                                                        LiveResponse.user_id == user.id))


def grade_response(session: ClassSession, response: LiveResponse) -> str | None:
    """Grade a saved statement response and store the report (the caller commits); return the message on failure.

    The state becomes done, unavailable (the grader cannot run) or error (this text cannot be graded).
    """
    activity = db.session.get(LiveActivity, response.activity_id)
    if activity.kind != "statement" or response.grader_state != "pending":
        return None
    message = None
    try:
        response.report = grade_draft(response.user_id, activity.statement_kind, response.text, activity.vignette_id)
        response.grader_state = "done"
    except grading.GradingUnavailable as exc:
        response.grader_state = "unavailable" if exc.status == 503 else "error"
        message = str(exc) if exc.status == 503 else f"{exc} Your statement is saved and your trainer has it."
    bump(session, "queue_version", *(("version",) if response.spotlight else ()))
    return message


# ---------------------------------------------------------------- what each screen sees

def _marks(report: dict | None) -> dict | None:
    """Return the parts of a grader report a screen shows: verdict, components and marked spans."""
    if not report:
        return None
    return {
        "verdict": report.get("verdict"),
        "components": [{"label": c.get("label") or c.get("id"), "present": bool(c.get("present"))}
                       for c in report.get("components") or [] if isinstance(c, dict)],
        "findings": [{"start": f.get("start"), "end": f.get("end"), "category": f.get("category"),
                      "message": f.get("message"), "suggestion": f.get("suggestion")}
                     for f in report.get("findings") or [] if isinstance(f, dict)],
    }


def _tallies(activity: LiveActivity, vignette: Vignette) -> tuple[dict[str, dict[str, int]], int]:
    """Count, per fact, how many learners placed it in each column; return (counts, maps sent)."""
    counts = {f.id: {c: 0 for c in CATEGORIES} for f in vignette.mapping_facts}
    placements = db.session.scalars(select(LiveResponse.placements).where(LiveResponse.activity_id == activity.id))
    sent = 0
    for placed in placements:
        sent += 1
        for fact_id, category in (placed or {}).items():
            if fact_id in counts and category in counts[fact_id]:
                counts[fact_id][category] += 1
    return counts, sent


def _fact_payload(vignette: Vignette, activity: LiveActivity, fact_id: str, counts: dict) -> dict:
    """Return one fact with its bars, and its answer once revealed."""
    fact = vignette.facts_by_id[fact_id]
    index = [f.id for f in vignette.mapping_facts].index(fact_id)
    revealed = fact_id in (activity.revealed_facts or [])
    tally = counts[fact_id]
    return {
        "id": fact.id, "number": index + 1, "text": fact.text, "placed": sum(tally.values()),
        "bars": [{"category": c, "label": CATEGORY_LABELS[c], "count": tally[c]} for c in CATEGORIES],
        "revealed": revealed,
        "answer": CATEGORY_LABELS[fact.category] if revealed else None,
        "answer_category": fact.category if revealed else None,
        "explanation": fact.explanation if revealed else None,
    }


def _base(activity: LiveActivity, vignette: Vignette) -> dict:
    """Return what every screen shows about an activity."""
    title = (f"{kind_label(activity.statement_kind)}: {vignette.title}" if activity.kind == "statement"
             else f"Group map: {vignette.title}")
    prompt = (vignette.prompts.get(activity.statement_kind, "") if activity.kind == "statement"
              else "Place each fact in a column of the map: harm, danger, complicating factors, strengths, "
                   "existing safety or grey area.")
    return {"id": activity.id, "kind": activity.kind, "statement_kind": activity.statement_kind, "title": title,
            "prompt": prompt, "vignette_id": vignette.id, "locked": activity.locked,
            "results_shown": activity.results_shown}


def screen_activity(activity: LiveActivity) -> dict:
    """Return the projector's view of an activity: anonymous, and only what the trainer put up."""
    vignette = vignette_or_error(activity.vignette_id)
    out = _base(activity, vignette)
    if activity.kind == "statement":
        rows = db.session.execute(
            select(LiveResponse.seq, LiveResponse.text, LiveResponse.report, LiveResponse.marks_shown)
            .where(LiveResponse.activity_id == activity.id, LiveResponse.spotlight.is_(True))
            .order_by(LiveResponse.seq)
        ).all()
        out["received"] = db.session.scalar(select(func.count()).where(LiveResponse.activity_id == activity.id))
        out["spotlight"] = [{"label": f"Response {seq}", "text": text, "marks": _marks(report) if shown else None}
                            for seq, text, report, shown in rows] if activity.results_shown else []
    else:
        counts, sent = _tallies(activity, vignette)
        out["received"] = sent
        out["fact_count"] = len(vignette.mapping_facts)
        focus = activity.focus_fact if activity.focus_fact in vignette.facts_by_id else vignette.mapping_facts[0].id
        fact = _fact_payload(vignette, activity, focus, counts)
        if not activity.results_shown:
            fact["bars"] = []
        out["fact"] = fact
    return out


def console_activity(activity: LiveActivity, cohort: Cohort | None, namer: Namer) -> dict:
    """Return the console's view: the moderation queue with names (masked as the namer says), or the tallies."""
    vignette = vignette_or_error(activity.vignette_id)
    out = _base(activity, vignette)
    if activity.kind == "statement":
        rows = db.session.execute(select(LiveResponse, User).join(User, User.id == LiveResponse.user_id)
                                  .where(LiveResponse.activity_id == activity.id).order_by(LiveResponse.seq)).all()
        out["responses"] = [{
            "id": r.id, "label": f"Response {r.seq}", "name": namer.name(user, cohort), "text": r.text,
            "revision": r.revision,
            "grader_state": r.grader_state, "marks": _marks(r.report), "spotlight": r.spotlight,
            "marks_shown": r.marks_shown, "dismissed": r.dismissed, "updated": r.updated_at.isoformat(),
        } for r, user in rows]
        out["received"] = len(rows)
    else:
        counts, sent = _tallies(activity, vignette)
        out["received"] = sent
        out["focus_fact"] = activity.focus_fact
        out["facts"] = [_fact_payload(vignette, activity, f.id, counts) | {"answer_label": CATEGORY_LABELS[f.category],
                                                                           "answer_explanation": f.explanation}
                        for f in vignette.mapping_facts]
    return out


def learner_activity(activity: LiveActivity, user: User) -> dict:
    """Return the learner's view: the case, the prompt, their own response and any revealed answers."""
    vignette = vignette_or_error(activity.vignette_id)
    out = _base(activity, vignette)
    out["case"] = {
        "title": vignette.title,
        "summary": vignette.summary,
        "narrative_html": render_markdown(vignette.narrative, "learner"),
        "roster": [{"name": p.name, "role": p.role, "age": p.age, "relation": p.relation} for p in vignette.roster],
    }
    mine = _own_response(activity, user)
    out["mine"] = None if mine is None else {
        "submit_key": mine.submit_key, "revision": mine.revision, "text": mine.text, "placements": mine.placements,
        "grader_state": mine.grader_state, "report": mine.report,
    }
    if activity.kind == "mapping":
        revealed = set(activity.revealed_facts or [])
        out["categories"] = [{"id": c, "label": CATEGORY_LABELS[c]} for c in CATEGORIES]
        out["facts"] = [{"id": f.id, "text": f.text,
                         "answer": f.category if f.id in revealed else None,
                         "answer_label": CATEGORY_LABELS[f.category] if f.id in revealed else None,
                         "explanation": f.explanation if f.id in revealed else None}
                        for f in vignette.mapping_facts]
    return out


def learner_stamp(activity_id: int | None, user: User) -> str:
    """Return a short stamp of the learner's own response, for their ETag."""
    if activity_id is None:
        return "0"
    row = db.session.execute(select(LiveResponse.revision, LiveResponse.grader_state)
                             .where(LiveResponse.activity_id == activity_id, LiveResponse.user_id == user.id)).first()
    return f"{row[0]}{row[1][0]}" if row else "0"


def vignette_choices() -> list[dict]:
    """Return the practice cases for the console's activity picker."""
    return [{"id": v.id, "title": v.title, "danger_only": v.danger_only} for v in all_vignettes()]
