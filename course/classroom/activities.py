"""Live practice: statement drafts graded on the phone, short-answer questions, and the group mapping board.

The projector payloads here never read a name: responses are anonymous cards ("Response 3"),
mapping placements are counted, and nothing else about a participant leaves the console.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grader.vocabulary import kind_label

from .. import grading
from ..converters import db_int
from ..curriculum.render import render_markdown
from ..database import utcnow
from ..exercises.services import grade_draft
from ..extensions import db
from ..models import Cohort
from ..models.classroom import ClassSession, LiveActivity, LiveParticipant, LiveResponse
from ..vignettes import CATEGORIES, CATEGORY_LABELS, KINDS, Vignette, all_vignettes, get_vignette
from .services import ClassroomError, bump
from .words import word_summary

STATEMENT_KINDS = KINDS  # learners write the kinds a practice case has prompts for
SUBMIT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
QUESTION_MAX_CHARS = 200  # the trainer's question
ANSWER_MAX_CHARS = 280  # a short answer: a card on the wall must stay readable
TEXT_KINDS = ("statement", "question")


def write_labels() -> list[tuple[str, str]]:
    """Return the console picker's (kind, label) pairs from the grader's vocabulary."""
    # A plural kind takes no article: "Write Solution-Focused Questions", not "Write a ...".
    return [(kind, f"Write {label}" if label.endswith("s") else f"Write a {label}")
            for kind, label in ((k, kind_label(k)) for k in STATEMENT_KINDS)]


# ---------------------------------------------------------------- starting and steering

def vignette_or_error(vignette_id: str) -> Vignette:
    """Return the vignette or refuse with a message."""
    vignette = get_vignette(vignette_id or "")
    if vignette is None:
        raise ClassroomError("Choose one of the practice cases.")
    return vignette


def start_activity(
    session: ClassSession, kind: str, vignette_id: str, statement_kind: str | None = None, question: str | None = None
) -> LiveActivity:
    """Start a statement, question or mapping activity and put it on the screen (the caller commits)."""
    if kind == "question":
        return _start(session, LiveActivity(session_id=session.id, kind="question", vignette_id="",
                                             question=_clean_question(question), revealed_facts=[]))
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
        raise ClassroomError("An activity is a statement, a question or the mapping board.")
    return _start(session, LiveActivity(
        session_id=session.id, kind=kind, statement_kind=statement_kind, vignette_id=vignette.id, revealed_facts=[],
        focus_fact=vignette.mapping_facts[0].id if kind == "mapping" else None))


def _clean_question(question: str | None) -> str:
    """Return the trainer's question, or refuse an empty or long one."""
    text = " ".join((question or "").split())
    if not text:
        raise ClassroomError("Type the question learners answer, for example: What is one strength in this family?")
    if len(text) > QUESTION_MAX_CHARS:
        raise ClassroomError(f"Keep the question under {QUESTION_MAX_CHARS} characters; it is {len(text)}.")
    return text


def _start(session: ClassSession, activity: LiveActivity) -> LiveActivity:
    """Store a new activity and make it the one on the screen."""
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
    response = db.session.get(LiveResponse, db_int(digits)) if db_int(digits) is not None else None
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
    elif action in ("approve", "spotlight", "marks", "dismiss"):
        _moderate(activity, action, _response(activity, data.get("response_id")), data)
        bump(session, "queue_version", "board_version")
    elif action == "show_approved":
        activity.show_approved = bool(data.get("value", not activity.show_approved))
        if activity.show_approved:  # one tap: the wall of approved responses is on the screen
            activity.results_shown = True
            session.screen_mode = "activity"
    elif action == "words":
        activity.show_words = bool(data.get("value", not activity.show_words))
    elif action in ("focus_fact", "reveal_fact"):
        if activity.kind != "mapping":
            raise ClassroomError("Facts belong to the mapping board.")
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


def _moderate(activity: LiveActivity, action: str, response: LiveResponse, data: dict) -> None:
    """Approve, spotlight, mark or set aside one response (spotlighting approves; setting aside withdraws)."""
    if activity.kind not in TEXT_KINDS:
        raise ClassroomError("Only written responses are moderated.")
    if action == "approve":
        response.approved = bool(data.get("value", not response.approved))
        response.spotlight = response.spotlight and response.approved
        response.dismissed = False if response.approved else response.dismissed
    elif action == "spotlight":
        response.spotlight = bool(data.get("value", not response.spotlight))
        if response.spotlight:
            response.approved, response.dismissed = True, False
    elif action == "marks":
        response.marks_shown = bool(data.get("value", not response.marks_shown))
    else:
        response.dismissed = bool(data.get("value", True))
        if response.dismissed:
            response.approved = response.spotlight = False


# ---------------------------------------------------------------- learners submitting

def _clean_placements(vignette: Vignette, placements) -> dict[str, str]:
    """Keep only placements of this map's facts into known columns."""
    if not isinstance(placements, dict):
        raise ClassroomError("Send your map as a set of fact placements.")
    return {fid: cat for fid, cat in placements.items() if fid in vignette.facts_by_id and cat in CATEGORIES}


def is_graded(session: ClassSession, activity_id) -> bool:
    """Return True when the activity a phone answers is the running statement activity (the grader reads it)."""
    activity = current_activity(session)
    return activity is not None and str(activity.id) == str(activity_id) and activity.kind == "statement"


def submit(session: ClassSession, participant: LiveParticipant, activity_id, submit_key: str, text: str | None = None,
           placements: dict | None = None) -> tuple[LiveResponse, bool]:
    """Store a participant's response once per submit key; return (response, changed). The caller commits."""
    activity = current_activity(session)
    if activity is None or str(activity.id) != str(activity_id):
        raise ClassroomError("This activity has finished. Your draft is still saved on this device.", 409)
    if not isinstance(submit_key, str) or not SUBMIT_KEY.match(submit_key):
        raise ClassroomError("The submission is missing its key; reload the page and send it again.")
    existing = _own_response(activity, participant)
    if existing is not None and existing.submit_key == submit_key:
        return existing, False  # a retry of a submission we already have
    if activity.locked:
        raise ClassroomError("Your trainer has locked submissions for this activity.", 423)
    if activity.kind in TEXT_KINDS:
        text = (text or "").strip() if isinstance(text, str) else ""
        if not text:
            raise ClassroomError("Write your answer first, then send it.")
        if activity.kind == "statement" and len(text) > grading.max_chars():
            raise ClassroomError(grading.too_long(len(text)), 413)
        if activity.kind == "question" and len(text) > ANSWER_MAX_CHARS:
            raise ClassroomError(f"That is {len(text):,} characters; the limit is {ANSWER_MAX_CHARS:,}. "
                                 "Shorten it so it fits on a card on the wall.", 413)
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
        response = _insert(activity, participant, submit_key, text, placements)
    bump(session, "queue_version", "board_version")  # the projector shows how many are in (and drops a revised card)
    return response, True


def _revise(response: LiveResponse, submit_key: str, text: str, placements: dict) -> None:
    """Replace a learner's earlier response with the new one; it goes back into the queue."""
    response.submit_key = submit_key
    response.text = text
    response.placements = placements
    response.revision += 1
    response.report = None
    response.grader_state = "pending" if _graded(response) else "done"
    response.approved = False  # a new text is moderated again before the wall shows it
    response.spotlight = False
    response.marks_shown = False
    response.dismissed = False
    response.updated_at = utcnow()


def _graded(response: LiveResponse) -> bool:
    """Return whether the grader reads this response (statements only)."""
    activity = db.session.get(LiveActivity, response.activity_id)
    return activity is not None and activity.kind == "statement" and bool(response.text)


def _insert(activity: LiveActivity, participant: LiveParticipant, submit_key: str, text: str,
            placements: dict) -> LiveResponse:
    """Insert a response with the next anonymous number, retrying if another worker took it."""
    for _attempt in range(5):
        seq = (
            db.session.scalar(select(func.max(LiveResponse.seq)).where(LiveResponse.activity_id == activity.id)) or 0
        ) + 1
        response = LiveResponse(activity_id=activity.id, participant_id=participant.id, seq=seq,
                                submit_key=submit_key, text=text, placements=placements,
                                grader_state="pending" if activity.kind == "statement" else "done")
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:
            existing = _own_response(activity, participant)
            if existing is not None:  # the same phone's retry won the race
                if existing.submit_key != submit_key:
                    _revise(existing, submit_key, text, placements)
                return existing
            continue  # another learner took this number
        return response
    raise ClassroomError("The room is busy; send it again in a moment.", 503)


def _own_response(activity: LiveActivity, participant: LiveParticipant) -> LiveResponse | None:
    """Return the participant's response to this activity, if any."""
    return db.session.scalar(select(LiveResponse).where(LiveResponse.activity_id == activity.id,
                                                        LiveResponse.participant_id == participant.id))


def grade_response(session: ClassSession, response: LiveResponse) -> str | None:
    """Grade a saved statement response and store the report (the caller commits); return the message on failure.

    The state becomes done, unavailable (the grader cannot run) or error (this text cannot be graded).
    """
    activity = db.session.get(LiveActivity, response.activity_id)
    if activity.kind != "statement" or response.grader_state != "pending":
        return None
    participant = db.session.get(LiveParticipant, response.participant_id)
    message = None
    try:
        response.report = _grade(activity, response.text, participant.user_id if participant else None)
        response.grader_state = "done"
    except grading.GradingUnavailable as exc:
        response.grader_state = "unavailable" if exc.status == 503 else "error"
        message = str(exc) if exc.status == 503 else f"{exc} Your statement is saved and your trainer has it."
    bump(session, "queue_version", *(("board_version",) if response.spotlight or response.approved else ()))
    return message


def _grade(activity: LiveActivity, text: str, user_id: int | None) -> dict:
    """Grade through the app's one seam: a linked learner's safety goal is checked against their own dangers."""
    if user_id is None:  # an anonymous phone has no drafts of its own
        return grading.grade(activity.statement_kind, text, vignette=activity.vignette_id)
    return grade_draft(user_id, activity.statement_kind, text, activity.vignette_id)


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


def tallies(activity: LiveActivity, vignette: Vignette) -> tuple[dict[str, dict[str, int]], int]:
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


def activity_head(activity: LiveActivity, vignette: Vignette | None) -> dict:
    """Return what every screen shows about an activity."""
    if activity.kind == "question":
        title, prompt = "Question for the room", activity.question or ""
    elif activity.kind == "statement":
        title = f"{kind_label(activity.statement_kind)}: {vignette.title}"
        prompt = vignette.prompts.get(activity.statement_kind, "")
    else:
        title = f"Group map: {vignette.title}"
        prompt = ("Place each fact in a column of the map: harm, danger, complicating factors, strengths, "
                  "existing safety or grey area.")
    return {"id": activity.id, "kind": activity.kind, "statement_kind": activity.statement_kind, "title": title,
            "prompt": prompt, "vignette_id": vignette.id if vignette else "", "locked": activity.locked,
            "results_shown": activity.results_shown, "show_approved": activity.show_approved,
            "show_words": activity.show_words}


def _vignette_of(activity: LiveActivity) -> Vignette | None:
    """Return the activity's case (None for a question, which has none)."""
    return None if activity.kind == "question" else vignette_or_error(activity.vignette_id)


def _wall(activity: LiveActivity) -> list[dict]:
    """Return the cards the projector shows: spotlighted responses, and every approved one once the wall is open."""
    shown = LiveResponse.spotlight.is_(True)
    if activity.show_approved:
        shown = shown | LiveResponse.approved.is_(True)
    rows = db.session.execute(
        select(LiveResponse.seq, LiveResponse.text, LiveResponse.report, LiveResponse.marks_shown,
               LiveResponse.spotlight, LiveResponse.revision)
        .where(LiveResponse.activity_id == activity.id, LiveResponse.dismissed.is_(False), shown)
        .order_by(LiveResponse.seq)
    ).all()
    return [{"key": f"{seq}.{revision}", "label": f"Response {seq}", "text": text, "featured": bool(spotlight),
             "marks": _marks(report) if marks_shown else None}
            for seq, text, report, marks_shown, spotlight, revision in rows]


def _approved_texts(activity: LiveActivity) -> list[str]:
    """Return the approved responses' texts (the word summary counts only what the trainer let through)."""
    return list(db.session.scalars(select(LiveResponse.text).where(
        LiveResponse.activity_id == activity.id, LiveResponse.approved.is_(True), LiveResponse.dismissed.is_(False))))


def screen_activity(activity: LiveActivity) -> dict:
    """Return the projector's view of an activity: anonymous, and only what the trainer put up."""
    vignette = _vignette_of(activity)
    out = activity_head(activity, vignette)
    if activity.kind in TEXT_KINDS:
        out["received"] = db.session.scalar(select(func.count()).where(LiveResponse.activity_id == activity.id))
        out["approved"] = db.session.scalar(select(func.count()).where(
            LiveResponse.activity_id == activity.id, LiveResponse.approved.is_(True),
            LiveResponse.dismissed.is_(False)))
        out["wall"] = _wall(activity) if activity.results_shown else []
        out["words"] = (word_summary(_approved_texts(activity))
                        if activity.results_shown and activity.show_words else None)
    else:
        counts, sent = tallies(activity, vignette)
        out["received"] = sent
        out["fact_count"] = len(vignette.mapping_facts)
        focus = activity.focus_fact if activity.focus_fact in vignette.facts_by_id else vignette.mapping_facts[0].id
        fact = _fact_payload(vignette, activity, focus, counts)
        if not activity.results_shown:
            fact["bars"] = []
        out["fact"] = fact
    return out


def console_activity(activity: LiveActivity, cohort: Cohort | None, names) -> dict:
    """Return the console's view: the moderation queue (named as `names` says), or every fact with its tallies.

    `names(participant, cohort)` returns what the console may show for a participant.
    """
    vignette = _vignette_of(activity)
    out = activity_head(activity, vignette)
    if activity.kind in TEXT_KINDS:
        rows = db.session.execute(select(LiveResponse, LiveParticipant)
                                  .join(LiveParticipant, LiveParticipant.id == LiveResponse.participant_id)
                                  .where(LiveResponse.activity_id == activity.id).order_by(LiveResponse.seq)).all()
        out["responses"] = [{
            "id": r.id, "label": f"Response {r.seq}", "name": names(p, cohort), "participant": p.label, "text": r.text,
            "revision": r.revision, "grader_state": r.grader_state, "marks": _marks(r.report),
            "approved": r.approved, "spotlight": r.spotlight, "marks_shown": r.marks_shown, "dismissed": r.dismissed,
        } for r, p in rows]
        out["received"] = len(rows)
        out["approved"] = sum(1 for r, _p in rows if r.approved and not r.dismissed)
        out["words"] = word_summary(_approved_texts(activity))
    else:
        counts, sent = tallies(activity, vignette)
        out["received"] = sent
        out["focus_fact"] = activity.focus_fact
        out["facts"] = [_fact_payload(vignette, activity, f.id, counts) | {"answer_label": CATEGORY_LABELS[f.category],
                                                                           "answer_explanation": f.explanation}
                        for f in vignette.mapping_facts]
    return out


def learner_activity(activity: LiveActivity, participant: LiveParticipant) -> dict:
    """Return the phone's view: the case, the prompt, its own response and any revealed answers."""
    vignette = _vignette_of(activity)
    out = activity_head(activity, vignette)
    out["max_chars"] = ANSWER_MAX_CHARS if activity.kind == "question" else None
    out["case"] = None if vignette is None else {
        "title": vignette.title,
        "summary": vignette.summary,
        "narrative_html": render_markdown(vignette.narrative, "learner"),
        "roster": [{"name": p.name, "role": p.role, "age": p.age, "relation": p.relation} for p in vignette.roster],
    }
    mine = _own_response(activity, participant)
    out["mine"] = None if mine is None else {
        "submit_key": mine.submit_key, "revision": mine.revision, "text": mine.text, "placements": mine.placements,
        "grader_state": mine.grader_state, "report": mine.report, "approved": mine.approved and not mine.dismissed,
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


def learner_stamp(activity_id: int | None, participant: LiveParticipant) -> str:
    """Return a short stamp of the participant's own response, for their ETag."""
    if activity_id is None:
        return "0"
    row = db.session.execute(select(LiveResponse.revision, LiveResponse.grader_state, LiveResponse.approved)
                             .where(LiveResponse.activity_id == activity_id,
                                    LiveResponse.participant_id == participant.id)).first()
    return f"{row[0]}{row[1][0]}{int(row[2])}" if row else "0"


def vignette_choices() -> list[dict]:
    """Return the practice cases for the console's activity picker."""
    return [{"id": v.id, "title": v.title, "danger_only": v.danger_only} for v in all_vignettes()]
