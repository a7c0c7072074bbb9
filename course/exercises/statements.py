"""Statement pages: draft with live feedback, autosave with a revision check, history and diffs."""
from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from grader.vocabulary import kind_from_slug, kind_slug

from .. import grading
from ..converters import db_int
from ..curriculum.render import render_markdown
from ..extensions import db
from ..feedback import summary
from ..models import InvalidTransition, Work
from ..ratelimit import wait_words
from . import bp
from .diffs import diff_counts, word_diff
from .forms import HistoryDiffForm, StatementForm
from .services import (
    Slot,
    StaleRevision,
    WorkLocked,
    accepted_kinds,
    allowed_position,
    check_saved,
    get_version,
    get_work,
    save_draft,
    slots_for,
    vignette_or_404,
    works_for,
)
from .versions import version_summary


def json_login_required(view):
    """Answer 401 JSON (not a redirect to the sign-in page) when the session has ended."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return jsonify(error="Your session has ended. Sign in again: your text is kept in this browser.",
                           code="signed_out"), 401
        return view(*args, **kwargs)

    return wrapped


def _slot_or_404(vignette_id: str, slug: str, position: int):
    """Return (vignette, kind, slot) for the current learner, or answer 404."""
    vignette = vignette_or_404(vignette_id)
    kind = kind_from_slug(slug)
    if kind is None or not allowed_position(kind, position, works_for(current_user.id, vignette.id)):
        abort(404)
    return vignette, kind, Slot(kind, position, get_work(current_user.id, vignette.id, kind, position))


def _work_state(work: Work | None) -> dict:
    """Return the fields the page script needs to keep in step with the server."""
    if work is None:
        return {"revision": 0, "text": "", "no_harm": False, "status": "draft", "status_label": "Not started",
                "editable": True, "saved_at": None}
    return {
        "revision": work.revision, "text": work.draft_text, "no_harm": work.no_harm, "status": work.status,
        "status_label": work.status_label, "editable": work.editable,
        "saved_at": work.draft_saved_at.isoformat() if work.draft_saved_at else None,
    }


def _page(vignette, kind, slot, form, report=None, grader_error=None, message=None, server_text=None, status=200,
          retry_after: int | None = None):
    """Render the statement page (with Retry-After when checking is paused by the rate limit)."""
    work = slot.work
    slots = slots_for(current_user.id, vignette)
    if report is None and work is not None and work.latest_version is not None:
        latest = work.latest_version
        if latest.text == work.draft_text and latest.no_harm == work.no_harm:
            report = latest.report  # the last check still describes the saved draft
    paired = None
    if kind == "safety_goal":
        paired = next((s for s in slots if s.kind == "danger" and s.position == slot.position), None)
    show_exemplars = kind in accepted_kinds(current_user.id, vignette.id)
    return render_template(
        "exercises/statement.html", vignette=vignette, kind=kind, slot=slot,
        work=work, form=form, slots=slots, report=report, report_summary=summary(report), grader_error=grader_error,
        message=message, server_text=server_text, message_kind="conflict" if status == 409 else "info", paired=paired,
        exemplars=vignette.exemplars.get(kind, []) if show_exemplars else [],
        state=_work_state(work), narrative=render_markdown(vignette.narrative),
        max_chars=grading.max_chars(),
    ), status, ({"Retry-After": str(retry_after)} if retry_after else {})


@bp.route("/<vignette_id>/write/<kind>/<int:position>", methods=["GET", "POST"])
@login_required
def statement(vignette_id: str, kind: str, position: int):
    """Draft one statement; the Check and Save buttons work as a plain form without JavaScript."""
    vignette, kind, slot = _slot_or_404(vignette_id, kind, position)
    form = StatementForm()
    if request.method == "GET":
        form.text.data = slot.work.draft_text if slot.work else ""
        form.no_harm.data = bool(slot.work and slot.work.no_harm)
        form.revision.data = str(slot.work.revision if slot.work else 0)
        return _page(vignette, kind, slot, form)
    if not form.validate_on_submit():
        return _page(vignette, kind, slot, form, status=422)
    text, checking = form.text.data or "", bool(form.check.data)
    try:
        saved = save_draft(current_user.id, vignette.id, kind, position, text, form.revision_number,
                           form.no_harm.data)
    except (StaleRevision, WorkLocked, InvalidTransition) as exc:
        db.session.rollback()
        slot.work = get_work(current_user.id, vignette.id, kind, position)
        form.revision.data = str(slot.work.revision if slot.work else 0)
        server_text = slot.work.draft_text if slot.work else ""
        return _page(vignette, kind, slot, form, message=str(exc), server_text=server_text, status=409)
    db.session.commit()  # save before grading (a named exception to one commit a request): no failure loses it
    slot.work = saved.work
    form.revision.data = str(saved.work.revision)
    if not checking:
        return _page(vignette, kind, slot, form, message="Saved.")
    if not text.strip():
        return _page(vignette, kind, slot, form, message="Write something first, then check it.")
    refused = grading.rate_refusal(current_user.id)
    if refused is not None:
        return _page(vignette, kind, slot, form, grader_error=_paused(refused.retry_after), status=429,
                     retry_after=refused.retry_after)
    _, report, grader_error = check_saved(current_user.id, vignette, saved.work)
    db.session.commit()
    return _page(vignette, kind, slot, form, report=report, grader_error=grader_error)


def _paused(retry_after: int) -> str:
    """The message for a check over the rate limit: the draft is saved, and when to check again."""
    return f"{grading.RATE_MESSAGE} Your draft is saved; check it again in {wait_words(retry_after)}."


def _json_payload() -> tuple[str, int, bool]:
    """Read text, revision and no_harm from a JSON body, or abort 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        abort(400)
    revision = data.get("revision", 0)
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        abort(400)
    if len(data["text"]) > grading.max_chars():
        # name the length and the limit: the generic 413 ("send less text or a smaller file") leaves them guessing
        response = jsonify(error=grading.too_long(len(data["text"])), code="too_long")
        response.status_code = 413
        abort(response)
    return data["text"], revision, bool(data.get("no_harm", False))


def _conflict(exc: Exception, vignette_id: str, kind: str, position: int):
    """Answer 409 with the server's saved copy so the page can show it."""
    db.session.rollback()
    work = get_work(current_user.id, vignette_id, kind, position)
    code = "stale" if isinstance(exc, StaleRevision) else "locked"
    return jsonify(error=str(exc), code=code, server=_work_state(work)), 409


@bp.route("/<vignette_id>/write/<kind>/<int:position>/autosave", methods=["POST"])
@json_login_required
def autosave(vignette_id: str, kind: str, position: int):
    """Save the draft if the revision is current; 409 with the server's text when it is not."""
    vignette, kind, _ = _slot_or_404(vignette_id, kind, position)
    text, revision, no_harm = _json_payload()
    try:
        saved = save_draft(current_user.id, vignette.id, kind, position, text, revision, no_harm)
    except (StaleRevision, WorkLocked, InvalidTransition) as exc:
        return _conflict(exc, vignette.id, kind, position)
    db.session.commit()
    return jsonify(saved=True, changed=saved.changed, reopened=saved.reopened, **_work_state(saved.work))


@bp.route("/<vignette_id>/write/<kind>/<int:position>/check", methods=["POST"])
@json_login_required
def check(vignette_id: str, kind: str, position: int):
    """Save, then grade and (unless keep is false) keep a version; return the report and its rendered HTML."""
    vignette, kind, _ = _slot_or_404(vignette_id, kind, position)
    text, revision, no_harm = _json_payload()
    keep = (request.get_json(silent=True) or {}).get("keep", True) is not False
    try:
        saved = save_draft(current_user.id, vignette.id, kind, position, text, revision, no_harm)
    except (StaleRevision, WorkLocked, InvalidTransition) as exc:
        return _conflict(exc, vignette.id, kind, position)
    db.session.commit()  # save before grading (a named exception to one commit a request): no failure loses it
    state = {"saved": True, "reopened": saved.reopened, "versions": len(saved.work.versions),
             **_work_state(saved.work)}
    refused = grading.rate_refusal(current_user.id) if text.strip() else None
    if refused is not None:
        response = jsonify(error=_paused(refused.retry_after), retry_after=refused.retry_after, code="rate_limited",
                           **state)
        response.status_code, response.headers["Retry-After"] = 429, str(refused.retry_after)
        return response
    version, report, grader_error = check_saved(current_user.id, vignette, saved.work, keep=keep)
    db.session.commit()
    html = render_template("partials/report.html", report=report, text=text, grader_error=grader_error,
                           kind=kind) if (report or grader_error) else ""
    return jsonify(report=report, html=html, summary=summary(report) or grader_error or "",
                   version=version.number if version else None, grader_unavailable=grader_error is not None,
                   **{**state, "versions": len(saved.work.versions)})


# ---------------------------------------------------------------- history

def _work_or_404(vignette_id: str, slug: str, position: int):
    """Return (vignette, kind, slot) when the learner's work exists, or answer 404."""
    vignette, kind, slot = _slot_or_404(vignette_id, slug, position)
    if slot.work is None:
        abort(404)
    return vignette, kind, slot


@bp.route("/<vignette_id>/write/<kind>/<int:position>/history")
@login_required
def history(vignette_id: str, kind: str, position: int):
    """List every kept version and show a word diff between two of them."""
    vignette, kind, slot = _work_or_404(vignette_id, kind, position)
    versions = slot.work.versions
    form = HistoryDiffForm(request.args)
    numbers = [SelectChoice(v.number, f"Version {v.number} ({'submitted' if v.source == 'submit' else 'checked'})")
               for v in versions]
    form.a.choices, form.b.choices = numbers, numbers
    runs, counts, older, newer = None, (0, 0), None, None
    if len(versions) >= 2:
        a = request.args.get("a", type=db_int) or versions[-2].number
        b = request.args.get("b", type=db_int) or versions[-1].number
        older, newer = get_version(slot.work, a), get_version(slot.work, b)
        if older is None or newer is None:
            abort(404)
        form.a.data, form.b.data = a, b
        runs = word_diff(older.text, newer.text)
        counts = diff_counts(runs)
    return render_template("exercises/history.html", vignette=vignette, kind=kind, slot=slot, work=slot.work,
                           versions=versions, form=form, runs=runs, counts=counts, older=older, newer=newer,
                           )


@bp.route("/<vignette_id>/write/<kind>/<int:position>/versions/<int:number>")
@login_required
def version(vignette_id: str, kind: str, position: int, number: int):
    """Show one kept version with the feedback it had."""
    vignette, kind, slot = _work_or_404(vignette_id, kind, position)
    kept = get_version(slot.work, number)
    if kept is None:
        abort(404)
    return render_template("exercises/version.html", vignette=vignette, kind=kind, slot=slot, work=slot.work,
                           kept=kept, report=kept.report, summary=version_summary(kept),
                           history_url=url_for(".history", vignette_id=vignette.id, kind=kind_slug(kind),
                                               position=slot.position))
