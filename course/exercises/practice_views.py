"""Practice pages beyond the statements: the safety network and the child interview (plain forms, no script)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from .. import grading
from ..curriculum.render import render_markdown
from ..extensions import db
from ..feedback import summary
from ..models import PracticeWork
from ..ratelimit import wait_words
from ..vignettes import all_vignettes
from . import bp
from .forms import InterviewForm, circle_field, fit_field, network_form_class
from .practice import (
    CHILD_INTERVIEW,
    HOUSES,
    MIN_INTERVIEW_AGE,
    NETWORK,
    StalePractice,
    age_in_years,
    check_practice,
    child_key,
    clean_interview,
    clean_network,
    compare_circles,
    compare_fits,
    get_practice,
    graded_text,
    interview_child,
    interview_children,
    latest_report,
    network_members,
    network_score,
    people_to_place,
    save_practice,
)
from .services import vignette_or_404


def _paused(retry_after: int) -> str:
    """The message for a check over the rate limit: the plan is saved, and when to check again."""
    return f"{grading.RATE_MESSAGE} Your plan is saved; check it again in {wait_words(retry_after)}."


@dataclass
class Outcome:
    """What a POST did: the saved plan, the check's report or error, a message, the status and any Retry-After."""

    work: PracticeWork | None
    report: dict | None = None
    grader_error: str | None = None
    message: str | None = None
    status: int = 200
    retry_after: int | None = None

    @property
    def headers(self) -> dict:
        """Return the response headers (Retry-After when checking is paused)."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def _save_and_check(vignette, kind: str, subject: str, data: dict, form, child=None) -> Outcome:
    """Save the plan (commit), then check it when asked."""
    try:
        work = save_practice(current_user.id, vignette.id, kind, subject, data, form.revision_number)
    except StalePractice as exc:
        db.session.rollback()
        return Outcome(get_practice(current_user.id, vignette.id, kind, subject), message=str(exc), status=409)
    db.session.commit()  # save before grading (a named exception to one commit a request): no failure loses it
    if not form.check.data:
        return Outcome(work, latest_report(work), message="Saved.")
    if not graded_text(kind, work.data):
        return Outcome(work, message="Saved. Write something in the plan first, then check it.")
    refused = grading.rate_refusal(current_user.id)
    if refused is not None:
        return Outcome(work, grader_error=_paused(refused.retry_after), status=429, retry_after=refused.retry_after)
    _, report, grader_error = check_practice(work, vignette, child)
    db.session.commit()
    return Outcome(work, report, grader_error)


# ---------------------------------------------------------------- the safety network

def _network_data(form, people, members) -> dict:
    """Read the learner's answers from the network form."""
    return {"circles": {p.name: form[circle_field(i)].data for i, p in enumerate(people)},
            "fits": {p.name: form[fit_field(i)].data for i, p in enumerate(members)},
            "orientation": form.orientation.data or ""}


def _fill_network(form, work, people, members) -> None:
    """Put the saved answers into the form."""
    data = work.data if work else {}
    for index, person in enumerate(people):
        form[circle_field(index)].data = (data.get("circles") or {}).get(person.name, "")
    for index, person in enumerate(members):
        form[fit_field(index)].data = (data.get("fits") or {}).get(person.name, "")
    form.orientation.data = data.get("orientation", "")
    form.revision.data = str(work.revision if work else 0)


@bp.route("/<vignette_id>/network", methods=["GET", "POST"])
@login_required
def network(vignette_id: str):
    """Place the case's people in the circles, judge the network members, draft the first orientation."""
    vignette = vignette_or_404(vignette_id)
    guidance = vignette.network_guidance
    if guidance is None:
        others = [v for v in all_vignettes() if v.network_guidance is not None]
        return render_template("exercises/network_empty.html", vignette=vignette, others=others)
    people, members = people_to_place(vignette), network_members(vignette)
    form = network_form_class(people, members)()
    work = get_practice(current_user.id, vignette.id, NETWORK)
    out, checked = Outcome(work, latest_report(work)), False
    if request.method == "POST":
        if not form.validate_on_submit():
            out.status = 422
        else:
            data = clean_network(vignette, _network_data(form, people, members))
            checked = bool(form.check.data)
            out = _save_and_check(vignette, NETWORK, "", data, form)
            if out.status == 409:
                _fill_network(form, out.work, people, members)
            form.revision.data = str(out.work.revision if out.work else 0)
    else:
        _fill_network(form, work, people, members)
    work, report = out.work, out.report
    answers = work.data if work else {}
    reviewed = checked or report is not None  # the case's answers show once the learner has checked
    correct, total = network_score(vignette, answers)
    return render_template(
        "exercises/network.html", vignette=vignette, guidance=guidance, form=form, work=work, people=people,
        members=members, circle_field=circle_field, fit_field=fit_field, report=report, grader_error=out.grader_error,
        report_summary=summary(report) or out.grader_error or "", message=out.message, conflict=out.status == 409,
        reviewed=reviewed,
        placements=compare_circles(vignette, answers) if reviewed else [],
        fits=compare_fits(vignette, answers) if reviewed else [], correct=correct, total=total,
        orientation_text=graded_text(NETWORK, answers), narrative=render_markdown(vignette.narrative),
    ), out.status, out.headers


# ---------------------------------------------------------------- the child interview

@bp.route("/<vignette_id>/child-interview", methods=["GET", "POST"])
@login_required
def child_interview(vignette_id: str):
    """Plan a Three Houses or Safety House conversation with one child of the case (?child=<first name>)."""
    vignette = vignette_or_404(vignette_id)
    children = interview_children(vignette)
    if not children:
        others = [v for v in all_vignettes() if interview_children(v)]
        return render_template("exercises/interview_empty.html", vignette=vignette, others=others,
                               min_age=MIN_INTERVIEW_AGE)
    child = interview_child(vignette, request.args.get("child"))
    if child is None:
        abort(404)
    subject = child_key(child)
    form = InterviewForm()
    work = get_practice(current_user.id, vignette.id, CHILD_INTERVIEW, subject)
    out = Outcome(work, latest_report(work))
    if request.method == "POST":
        if not form.validate_on_submit():
            out.status = 422
        else:
            data = clean_interview({k: form[k].data for k in ("house", "opening", "questions", "sharing")})
            out = _save_and_check(vignette, CHILD_INTERVIEW, subject, data, form, child)
            if out.status == 409 and out.work is not None:
                for key in ("house", "opening", "questions", "sharing"):
                    form[key].data = out.work.data.get(key, "")
            form.revision.data = str(out.work.revision if out.work else 0)
    else:
        data = work.data if work else {}
        for key in ("opening", "questions", "sharing"):
            form[key].data = data.get(key, "")
        form.house.data = data.get("house", "three_houses")
        form.revision.data = str(work.revision if work else 0)
    return render_template(
        "exercises/child_interview.html", vignette=vignette, child=child, age=age_in_years(child),
        children=children, child_key=child_key, form=form, work=out.work, houses=HOUSES, report=out.report,
        grader_error=out.grader_error, report_summary=summary(out.report) or out.grader_error or "",
        message=out.message, conflict=out.status == 409, narrative=render_markdown(vignette.narrative),
        graded=graded_text(CHILD_INTERVIEW, out.work.data) if out.work else "",
        action=url_for(".child_interview", vignette_id=vignette.id, child=subject),
    ), out.status, out.headers
