"""Trainer and projector views: start a session, the console, the projector and their state URLs."""
from __future__ import annotations

import secrets

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session as cookie,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.services import normalise_join_code
from ..converters import db_int
from ..curriculum.services import all_modules
from ..database import utcnow
from ..extensions import db
from ..models import Cohort
from ..models.classroom import ClassSession, SessionExport
from ..names import REVEAL_HOURS, Namer, set_presenting
from ..ratelimit import first_refusal, peek, too_many_requests
from ..security import is_safe_next, roles_required
from ..timezones import to_zone
from . import bp
from .activities import QUESTION_MAX_CHARS, vignette_choices, write_labels
from .export import end_session, exports_for, purge_expired, summary_html
from .forms import CodeForm, PresentingForm, StartSessionForm
from .game import MAX_CATEGORIES
from .services import (
    ClassroomError,
    can_run,
    classroom_modules,
    default_day,
    etag_for,
    runnable_cohorts,
    session_by_screen_code,
    session_counters,
    sessions_for,
    start_session,
)
from .sources import CASE_PREFIX, SourceError, modules_with_clues
from .state import console_state, control, join_info, screen_state

SCREEN_COOKIE = "classroom_screen"
SCREEN_ATTEMPT_COOKIE = "classroom_screen_attempt"
GUESS_WINDOW = 600


@bp.errorhandler(ClassroomError)
def classroom_error(exc: ClassroomError):
    """Answer a refused action with a JSON message the console shows."""
    return jsonify(error=str(exc)), exc.status


def poll(etag: str, build) -> Response:
    """Answer 304 when the client already has this version, else the fresh state with its ETag."""
    if request.headers.get("If-None-Match") == etag:
        response = Response(status=304)
    else:
        response = jsonify(build())
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache, private"
    return response


def json_body() -> dict:
    """Return the request's JSON object, or refuse."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ClassroomError("Send a JSON object.")
    return data


def qr_svg(url: str) -> str:
    """Return an inline SVG QR code for a URL (black on white, large modules for a projector)."""
    return segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff", omitsize=True)


# ---------------------------------------------------------------- trainers

def _managed_session(session_id: int) -> ClassSession:
    """Return a live session of a cohort the trainer leads; others get 404 so ids are not revealed."""
    session = db.get_or_404(ClassSession, session_id)
    cohort = db.session.get(Cohort, session.cohort_id)
    if cohort is None or not can_run(current_user, cohort):
        abort(404)
    return session


@bp.route("/")
@roles_required("trainer")
def index():
    """Start a session, or return to a running one (expired sessions are already left out)."""
    cohorts = runnable_cohorts(current_user)
    form = StartSessionForm()
    form.cohort_id.choices = [SelectChoice(c.id, c.name) for c in cohorts]
    form.module_id.choices = [SelectChoice(m.id, f"Day {m.day}: {m.title}{' (pre-work)' if m.prework else ''}")
                              for m in all_modules()]
    if cohorts and request.method == "GET":
        form.day.data = default_day(cohorts[0])
        first = classroom_modules(form.day.data)
        form.module_id.data = first[0].id if first else None
    return render_template("classroom/index.html", form=form, cohorts=cohorts, sessions=sessions_for(current_user),
                           exports=exports_for([c.id for c in cohorts]))


@bp.route("/sessions", methods=["POST"])
@roles_required("trainer")
def create():
    """Create a session for a cohort the trainer leads and open its console."""
    form = StartSessionForm()
    cohorts = runnable_cohorts(current_user)
    form.cohort_id.choices = [SelectChoice(c.id, c.name) for c in cohorts]
    form.module_id.choices = [SelectChoice(m.id, m.title) for m in all_modules()]
    cohort_id = request.form.get("cohort_id", type=db_int)
    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    if cohort is not None and not can_run(current_user, cohort):
        abort(403)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".index"))
    purge_expired()  # housekeeping with the write this request makes anyway (a GET never writes)
    session = start_session(current_user, cohort, form.day.data, form.module_id.data, form.day_start.data)
    db.session.commit()
    return redirect(url_for(".console", session_id=session.id))


@bp.route("/sessions/<int:session_id>")
@roles_required("trainer")
def console(session_id: int):
    """The trainer console: slides and notes, timer, live activity and game controls."""
    session = _managed_session(session_id)
    if session.ended_at is not None:
        flash("That session has ended.", "info")
        return redirect(url_for(".index"))
    try:
        clue_counts = modules_with_clues([m.id for m in classroom_modules()])
        clue_problem = None
    except SourceError as exc:
        clue_counts, clue_problem = {}, str(exc)
    game_modules = [m for m in classroom_modules() if clue_counts.get(m.id)]
    # Ticked by default: today's modules, never more than a board holds (the form says "up to six").
    ticked = [m.id for m in game_modules if m.day == session.day][:MAX_CATEGORIES]
    return render_template(
        "classroom/console.html", session=session, cohort=db.session.get(Cohort, session.cohort_id),
        modules=all_modules(), game_modules=game_modules, ticked=ticked, max_categories=MAX_CATEGORIES,
        clue_counts=clue_counts, clue_problem=clue_problem, vignettes=vignette_choices(), kinds=write_labels(),
        case_prefix=CASE_PREFIX, question_max=QUESTION_MAX_CHARS, join=join_info(session),
    )


@bp.route("/sessions/<int:session_id>/state")
@roles_required("trainer")
def console_poll(session_id: int):
    """The console's state, or 304 when nothing changed."""
    # Counters first: a change landing between the two reads then shows up in the state, never only in the ETag
    # (a state older than its ETag would be answered 304 until the next change).
    counters = session_counters(ClassSession.id, session_id)
    session = _managed_session(session_id)
    if counters is None:
        return jsonify(ended=True), 410
    masked = "m" if Namer().hides(db.session.get(Cohort, session.cohort_id)) else "n"  # a toggle refreshes names
    return poll(etag_for("c", *counters[:4], masked), lambda: console_state(session))


@bp.route("/sessions/<int:session_id>/control", methods=["POST"])
@roles_required("trainer")
def console_control(session_id: int):
    """Apply a console action and return the new state."""
    session = _managed_session(session_id)
    data = json_body()
    control(session, data.get("action"), data)
    db.session.commit()
    return jsonify(ok=True)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@roles_required("trainer")
def end(session_id: int):
    """End the session: keep its summary (CSV and Markdown) for 30 days, then delete its live data."""
    session = _managed_session(session_id)
    if session.ended_at is not None:
        flash("That session had already ended.", "info")
        return redirect(url_for(".index"))
    export = end_session(session, current_user.id)
    db.session.commit()
    flash("Session ended. Download its summary below; it is kept for "
          f"{current_app.config['LIVE_EXPORT_DAYS']} days.", "success")
    return redirect(url_for(".export", export_id=export.id))


@bp.route("/presenting", methods=["POST"])
@roles_required("trainer")
def presenting():
    """Start or stop presenting: while on, every page this sign-in opens hides learners' names (a mirrored laptop
    shows none), until it is stopped, the trainer signs out, or REVEAL_HOURS pass."""
    if PresentingForm().validate_on_submit():
        on = request.form.get("value") == "on"
        set_presenting(on)
        flash(f"Presenting: names are hidden on every page until you stop (or sign out; at most {REVEAL_HOURS} "
              "hours)." if on else "Presenting is off: names show again where your cohorts allow.", "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for(".index"))


# ---------------------------------------------------------------- what ended sessions leave

def _managed_export(export_id: int) -> SessionExport:
    """Return a kept export of a cohort the trainer leads; others (and expired ones) get 404."""
    export = db.get_or_404(SessionExport, export_id)
    cohort = db.session.get(Cohort, export.cohort_id)
    if cohort is None or not can_run(current_user, cohort) or export.expires_at <= utcnow():
        abort(404)
    return export


@bp.route("/exports/<int:export_id>")
@roles_required("trainer")
def export(export_id: int):
    """An ended session's summary: what it held, and its CSV and Markdown downloads."""
    found = _managed_export(export_id)
    return render_template("classroom/export.html", export=found, cohort=found.cohort, summary=summary_html(found))


@bp.route("/exports/<int:export_id>.<any(csv, md):fmt>")
@roles_required("trainer")
def export_download(export_id: int, fmt: str):
    """Download an ended session's summary as CSV or Markdown."""
    found = _managed_export(export_id)
    stamp = to_zone(found.ended_at, found.cohort).strftime("%Y%m%d-%H%M")
    name = f"classroom-{found.cohort_id}-{stamp}.{fmt}"
    body, mimetype = (("\ufeff" + found.csv_text, "text/csv") if fmt == "csv"
                      else (found.markdown_text, "text/markdown"))
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------- the projector

def _screen_guess_keys() -> list[tuple[str, int, int]]:
    """Return the throttles on wrong screen codes: per projector browser and for the whole site (a classroom
    shares one address, so the address is no use here)."""
    attempt = cookie.setdefault(SCREEN_ATTEMPT_COOKIE, secrets.token_hex(8))
    config = current_app.config
    return [(f"screen:attempt:{attempt}", config["SCREEN_CODE_GUESSES_PER_ATTEMPT"], GUESS_WINDOW),
            ("screen:global", config["SCREEN_CODE_GUESSES_GLOBAL"], GUESS_WINDOW)]


def guarded_screen_session(code: str | None):
    """Return (session, refusal) for a typed or linked screen code, counting wrong codes as guesses.

    A browser that already opened this screen, or the cohort's signed-in trainer, is never held up; anyone
    else is refused while their own or the site's wrong guesses are over the limit, right code or not, so
    the answer tells a guesser nothing.
    """
    code = normalise_join_code(code or "")
    if code and cookie.get(SCREEN_COOKIE) == code:
        return session_by_screen_code(code), None
    keys = _screen_guess_keys()
    spent = [r for r in (peek(key, limit) for key, limit, _ in keys) if not r.allowed]
    session = session_by_screen_code(code) if code else None
    if session is not None and current_user.is_authenticated:
        cohort = db.session.get(Cohort, session.cohort_id)
        if cohort is not None and can_run(current_user, cohort):
            return session, None
    if spent:
        return None, max(spent, key=lambda r: r.retry_after)
    if session is None:
        return None, first_refusal(keys)
    return session, None


SCREEN_WAIT = ("Too many wrong screen codes were typed recently. Check the code on the trainer console, "
               "or sign in as the cohort's trainer on this computer.")


@bp.route("/screen", methods=["GET", "POST"])
def screen_enter():
    """The room computer types the screen code; a reload comes back to the same session."""
    form = CodeForm()
    if form.validate_on_submit():
        session, refused = guarded_screen_session(form.code.data)
        if refused is not None:
            return too_many_requests(refused, SCREEN_WAIT)
        if session is not None:
            cookie[SCREEN_COOKIE] = session.screen_code
            return redirect(url_for(".screen_enter"))
        form.code.errors.append("No running session has that screen code. Check the code on the trainer console.")
    elif request.method == "GET" and cookie.get(SCREEN_COOKIE):
        session = session_by_screen_code(cookie[SCREEN_COOKIE])
        if session is not None:
            return _render_screen(session)
        cookie.pop(SCREEN_COOKIE, None)
    return render_template("classroom/screen_enter.html", form=form), 400 if form.errors else 200


@bp.route("/screen/<code>")
def screen(code: str | None = None):
    """The projector page for a session, opened by its screen code."""
    session, refused = guarded_screen_session(code)
    if refused is not None:
        return too_many_requests(refused, SCREEN_WAIT)
    if session is None:
        flash("No running session has that screen code.", "error")
        return redirect(url_for(".screen_enter"))
    cookie[SCREEN_COOKIE] = session.screen_code
    return _render_screen(session)


def _render_screen(session: ClassSession):
    """Render the projector page (its state arrives by polling)."""
    join = join_info(session)
    return render_template("classroom/screen.html", session=session, join=join, qr=qr_svg(join["direct_url"]),
                           initial=screen_state(session))


@bp.route("/screen/<code>/state")
def screen_poll(code: str):
    """The projector's state, or 304 when nothing it shows changed."""
    counters = session_counters(ClassSession.screen_code, code)
    if normalise_join_code(code) != cookie.get(SCREEN_COOKIE):  # a browser that never opened this screen: a guess?
        session, refused = guarded_screen_session(code)
        if refused is not None:
            return too_many_requests(refused, SCREEN_WAIT)
        if session is None:
            counters = None
    if counters is None:
        return jsonify(ended=True), 410
    session_id, version, board, _queue = counters[:4]
    return poll(etag_for("s", session_id, version, board),
                lambda: screen_state(db.session.get(ClassSession, session_id)))


@bp.route("/screen/<code>/control", methods=["POST"])
def screen_control(code: str):
    """The projector's own keys: slides, blank and timer only."""
    session, refused = guarded_screen_session(code)
    if refused is not None:
        return too_many_requests(refused, SCREEN_WAIT)
    if session is None:
        return jsonify(error="This session has ended."), 410
    data = json_body()
    control(session, data.get("action"), data, from_screen=True)
    db.session.commit()
    return jsonify(ok=True)
