"""Knowledge-check pages: the list of checks, taking a check, and the result with explanations."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..completion import services as rules
from ..curriculum.services import get_module, resume_point
from ..extensions import db
from ..models.quizzes import QuizAttempt
from ..numbers import plain_int
from ..timezones import localtime
from . import bp, spacing, weekly
from .forms import QuizForm, parse_answers
from .loader import Quiz, get_quiz
from .presentation import _secret, show_item
from .scoring import QuizResult, score_quiz
from .services import (
    POOL_ID,
    attempt_page,
    attempts,
    cohort_gain_for,
    knowledge_gain,
    module_checks,
    next_attempt_number,
    post_check_gate,
    record_attempt,
    result_for,
    summaries,
    summarize,
)

KIND_TITLES = {"pre": "Pre-course check", "post": "Post-course check"}


def _wants_fragment() -> bool:
    """Return whether quiz.js sent the form and wants the result as an HTML fragment in JSON."""
    return request.headers.get("X-Requested-With") == "fetch"


def _next_step_url() -> str:
    """Return where the learner should go next in the course: the module to resume, else the course home."""
    point = resume_point(current_user._get_current_object())
    return url_for("curriculum.module", module_id=point[0].id) if point else url_for("curriculum.home")


@bp.route("/")
@login_required
def index():
    """List the pre/post check and every module's check with the learner's best and latest."""
    pool = get_quiz(POOL_ID)
    checks = [(quiz, get_module(quiz.module) if quiz.module else None) for quiz in module_checks()]
    checks.sort(key=lambda pair: pair[1].sort_key if pair[1] else (9, 9, 9, pair[0].id))
    user = current_user._get_current_object()
    return render_template(
        "quizzes/index.html", pool=pool if pool and pool.pool else None, checks=checks,
        review=spacing.overview(user.id), weekly=weekly.state_of(user.id),
        summaries=summaries(user.id), gain=knowledge_gain(user), gate=post_check_gate(user),
        cohort_gain=cohort_gain_for(user), next_url=_next_step_url(),
    )


@bp.route("/<quiz_id>", methods=["GET", "POST"])
@login_required
def take(quiz_id: str):
    """Show a module's knowledge check, or score a submitted one."""
    quiz = get_quiz(quiz_id)
    if quiz is None:
        abort(404)
    if quiz.pool:
        return redirect(url_for(".index") + "#pre-post")
    return _take(quiz, "module")


@bp.route("/<quiz_id>/<any(pre, post):kind>", methods=["GET", "POST"])
@login_required
def take_pool(quiz_id: str, kind: str):
    """Show the pre-course or post-course check (parallel forms of the pool), or score it."""
    quiz = get_quiz(quiz_id)
    if quiz is None or not quiz.pool:
        abort(404)
    if kind == "pre":
        done = attempts(current_user.id, quiz.id, "pre")
        if done:
            # The pre-check is the baseline for the gain, so it is taken once.
            if request.method == "POST":
                flash(
                    "You have already taken the pre-course check; your first result is kept as your starting point.",
                    "warning",
                )
            return redirect(url_for(".result", attempt_id=done[0].id))
    else:
        gate = post_check_gate(current_user._get_current_object())
        if not gate.open:
            # Taken before the course ends, the post check would measure nothing the course taught.
            return render_template("quizzes/locked.html", quiz=quiz, gate=gate, next_url=_next_step_url(),
                                   kind_title=KIND_TITLES[kind]), 403 if request.method == "POST" else 200
    return _take(quiz, kind)


def _attempt_number(quiz: Quiz, kind: str) -> int | None:
    """Return the attempt number a submitted form was rendered for (None if it is not one this learner was given)."""
    number = plain_int(request.form.get("attempt"))
    latest = next_attempt_number(current_user.id, quiz.id, kind)
    return number if number is not None and 1 <= number <= latest else None


def _take(quiz: Quiz, kind: str):
    """Render the check, or validate, score and store a submission."""
    form = QuizForm()
    answers, errors = {}, {}
    number = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        number = _attempt_number(quiz, kind)
        if number is None:
            flash("That page of the check was out of date, so nothing was scored. "
                  "Here it is again: answer and send it once more.", "warning")
            return redirect(request.path)
        _, shown = attempt_page(quiz, current_user.id, kind, number)
        answers, errors = parse_answers(shown, request.form)
        if not errors:
            attempt, result = record_attempt(current_user._get_current_object(), quiz, kind, answers,
                                             [s.item.id for s in shown])
            db.session.commit()
            if _wants_fragment():
                return jsonify(percent=result.percent, score=result.score, max_score=result.max_score,
                               result_url=url_for(".result", attempt_id=attempt.id),
                               html=render_template("quizzes/_result.html", **_result_context(quiz, attempt, result)))
            return redirect(url_for(".result", attempt_id=attempt.id))
        if _wants_fragment():
            return jsonify(errors=errors), 400
    number, shown = attempt_page(quiz, current_user.id, kind, number)
    module = get_module(quiz.module) if quiz.module else None
    summary = summarize(attempts(current_user.id, quiz.id, kind))
    status = 400 if errors else 200
    return render_template(
        "quizzes/take.html", quiz=quiz, kind=kind, kind_title=KIND_TITLES.get(kind), module=module, form=form,
        items=shown, attempt_number=number, answers=answers, errors=errors, summary=summary, action=request.path,
    ), status


def _result_context(quiz: Quiz, attempt: QuizAttempt, result: QuizResult) -> dict:
    """Return what the result page and fragment show: per-item feedback, best and latest, and the gain."""
    pool_kind = attempt.kind in ("pre", "post")
    user = current_user._get_current_object()
    module = get_module(quiz.module) if quiz.module else None
    threshold = rules.pass_percent(module) if module else None
    return {
        "quiz": quiz, "attempt": attempt, "result": result, "kind": attempt.kind,
        "kind_title": KIND_TITLES.get(attempt.kind), "module": module,
        "summary": summarize(attempts(attempt.user_id, quiz.id, attempt.kind)),
        # The module's mark comes from the completion rules, judged as they judge it (on the exact score).
        "pass_percent": threshold,
        "passed": threshold is not None and rules.passes(attempt.score, attempt.max_score, threshold),
        "gain": knowledge_gain(user) if pool_kind else None,
        "gate": post_check_gate(user) if pool_kind else None,
        "cohort_gain": cohort_gain_for(user) if pool_kind else None,
        "next_url": _next_step_url() if pool_kind else None,
    }


@bp.route("/review", methods=["GET", "POST"])
@login_required
def review():
    """Review what you missed: up to three items due again, scored, then moved along the intervals."""
    user_id = current_user.id
    due = spacing.due_items(user_id)
    form = QuizForm()
    shown = [show_item(d.item, f"{user_id}.review.{d.row.id}.{len(d.row.history)}", _secret()) for d in due]
    answers, errors, results = {}, {}, []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if request.form.get("attempt") != _review_key(due):
            flash("Those questions were already answered in another tab, so nothing was scored. "
                  "Here is what is due now.", "warning")
            return redirect(url_for(".review"))
        answers, errors = parse_answers(shown, request.form)
        if not errors:
            for d in due:
                [outcome] = score_quiz(d.quiz, {d.item.id: answers[d.item.id]}, [d.item.id]).items
                spacing.record_review(d.row, outcome.points)
                results.append((d, outcome))
            db.session.commit()
            return render_template("quizzes/review.html", results=results, due=[], overview=spacing.overview(user_id),
                                   history=spacing.history(user_id), intervals=spacing.INTERVALS)
    return render_template("quizzes/review.html", results=[], due=due, items=shown, form=form, answers=answers,
                           errors=errors, attempt_key=_review_key(due), overview=spacing.overview(user_id),
                           history=spacing.history(user_id), intervals=spacing.INTERVALS), 400 if errors else 200


def _review_key(due: list) -> str:
    """Return what a review form carries to say which set it showed: the rows and how often each was answered."""
    return "-".join(f"{d.row.id}.{len(d.row.history)}" for d in due)


@bp.route("/weekly", methods=["GET", "POST"])
@login_required
def weekly_check():
    """The weekly check after the course: opt in or out, take this week's 3 items when due, see every past week."""
    user_id = current_user.id
    state = weekly.state_of(user_id)
    form = QuizForm()
    week = state.plan.next_due_at.isoformat(timespec="seconds") if state.plan else ""
    shown = [show_item(p.item, f"{user_id}.weekly.{week}.{p.quiz.id}", _secret()) for p in state.items]
    answers, errors, results = {}, {}, []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if state.name != "due" or request.form.get("attempt") != state.key:
            flash("That check was already answered (perhaps in another tab), so nothing was scored. "
                  "Here is where your weekly check stands now.", "warning")
            return redirect(url_for(".weekly_check"))
        answers, errors = parse_answers(shown, request.form)
        if not errors:
            outcomes = [score_quiz(p.quiz, {p.item.id: answers[p.item.id]}, [p.item.id]).items[0]
                        for p in state.items]
            if weekly.record(user_id, state, [o.points for o in outcomes]) is None:
                db.session.rollback()
                flash("That check was already answered in another tab, so nothing was scored twice.", "warning")
                return redirect(url_for(".weekly_check"))
            db.session.commit()
            results = list(zip(state.items, outcomes, strict=True))
            state = weekly.state_of(user_id)  # now waiting for next week
    return render_template("quizzes/weekly.html", state=state, items=shown, form=form, answers=answers,
                           errors=errors, results=results, history=weekly.history(user_id),
                           missed=len(weekly.missed_items(user_id)), size=weekly.SIZE,
                           week_days=weekly.WEEK.days), 400 if errors else 200


@bp.route("/weekly/plan", methods=["POST"])
@login_required
def weekly_plan():
    """Turn the weekly check on or off."""
    if not QuizForm().validate_on_submit():
        abort(400)
    if request.form.get("plan") == "on":
        plan = weekly.opt_in(current_user.id)
        db.session.commit()
        flash(f"Weekly check on. Your first one is due {localtime(plan.next_due_at, 'date')}; "
              "you will get a notice then.", "success")
    else:
        weekly.opt_out(current_user.id)
        db.session.commit()
        flash("Weekly check off. Your history stays here, and you can turn it on again at any time.", "success")
    return redirect(url_for(".weekly_check"))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    """Show one of the learner's own attempts with an explanation for every option."""
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    outcome = result_for(attempt)
    if outcome is None:
        abort(404)
    return render_template("quizzes/result.html", **_result_context(outcome.quiz, attempt, outcome))
