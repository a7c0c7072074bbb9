"""Pilot pages: module feedback, the course evaluation, certificates, public verification and the report."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..completion.services import hours_earned
from ..curriculum.services import get_module
from ..extensions import db
from ..models import Role
from ..names import Namer
from ..security import roles_required
from . import bp, exports
from .charts import confidence_chart, funnel_chart, module_ratings_chart
from .forms import EvaluationForm, ModuleFeedbackForm, RevokeForm, VerifyForm
from .objectives import CONFIDENCE_LABELS, OBJECTIVES, RECOMMEND_CHOICES
from .report import HIDDEN_NOTE, FilterError, build_filter, build_report, completions, month_label
from .services import (
    CertificateError,
    can_revoke,
    certificate_for,
    decline_evaluation,
    declined_evaluation,
    evaluation_for,
    feedback_for,
    find_certificate,
    format_code,
    issue_if_complete,
    latest_revoked,
    requirements_since,
    revoke,
    rules_problems,
    save_evaluation,
    save_feedback,
    skip_feedback,
    standing,
)
from .smallcells import MIN_GROUP, RULE_NOTE


def _learner_only() -> None:
    """Refuse pilot responses from trainers and admins, so their views never mix into learner data."""
    if current_user.role != Role.LEARNER.value:
        abort(403)


# ---------------------------------------------------------------- module feedback


@bp.route("/pilot/modules/<module_id>/feedback", methods=["GET", "POST"])
@login_required
def module_feedback(module_id: str):
    """Save a module rating or a skip; on a problem, show the form again with the errors beside the fields."""
    _learner_only()
    module = get_module(module_id)
    if module is None:
        abort(404)
    row = feedback_for(current_user, module.id)
    form = ModuleFeedbackForm(obj=row if row is not None and not row.skipped else None)
    if request.method == "POST":
        if form.skip.data:
            skip_feedback(current_user, module.id)
            db.session.commit()
            flash("Skipped. You can still rate this module from the end of its page.", "success")
            return redirect(url_for("curriculum.module", module_id=module.id) + "#feedback")
        if form.validate_on_submit():
            save_feedback(current_user, module.id, form.usefulness.data, form.clarity.data, form.comment.data)
            db.session.commit()
            flash("Thank you. Your feedback on this module was saved.", "success")
            return redirect(url_for("curriculum.module", module_id=module.id) + "#feedback")
    status = 400 if form.errors else 200
    return render_template("pilot/module_feedback.html", module=module, form=form, row=row), status


# ---------------------------------------------------------------- course evaluation


@bp.route("/pilot/evaluation", methods=["GET", "POST"])
@login_required
def evaluation():
    """Show and save the end-of-course evaluation (it can be changed later)."""
    _learner_only()
    row = evaluation_for(current_user)
    form = EvaluationForm()
    if request.method == "GET" and row is not None:
        form.usefulness.data, form.recommend.data = row.usefulness, row.recommend
        form.keep.data, form.change.data = row.keep, row.change
        for number in OBJECTIVES:
            pair = row.confidence.get(str(number)) or {}
            form[f"before_{number}"].data, form[f"after_{number}"].data = pair.get("before"), pair.get("after")
    if form.validate_on_submit():
        save_evaluation(current_user, form.confidence(), form.usefulness.data, form.recommend.data,
                        form.keep.data, form.change.data)
        issue_if_complete(current_user._get_current_object())
        db.session.commit()
        flash("Thank you. Your evaluation was saved; you can change it here until the pilot closes.", "success")
        return redirect(url_for(".certificate"))
    status = 400 if form.errors else 200
    return render_template("pilot/evaluation.html", form=form, row=row, labels=CONFIDENCE_LABELS,
                           declined=declined_evaluation(current_user)), status


@bp.route("/pilot/evaluation/decline", methods=["POST"])
@login_required
def decline():
    """Record that the learner would rather not give the evaluation (the certificate accepts that choice)."""
    _learner_only()
    if evaluation_for(current_user) is None:
        decline_evaluation(current_user)
        issue_if_complete(current_user._get_current_object())
        db.session.commit()
        flash("Noted: you chose not to give the course evaluation. You can still give it here at any time.",
              "success")
    return redirect(url_for(".certificate"))


# ---------------------------------------------------------------- certificate and verification


@bp.route("/pilot/certificate")
@login_required
def certificate():
    """Show the learner's certificate, or each requirement still missing with a link to do it (nothing is written:
    certificates are issued when a requirement is met, or by the button here)."""
    _learner_only()
    user = current_user._get_current_object()
    cert = certificate_for(user)
    return render_template(
        "pilot/certificate.html", cert=cert, status=None if cert else standing(user), hours=hours_earned(user),
        format_code=format_code, evaluated=evaluation_for(user) is not None, revoked=latest_revoked(user),
        since=requirements_since(user), rules_broken=bool(rules_problems()),
    )


@bp.route("/pilot/certificate", methods=["POST"])
@login_required
def issue():
    """Issue the certificate when every requirement is met (normally done as the last one is met)."""
    _learner_only()
    cert = issue_if_complete(current_user._get_current_object())
    db.session.commit()
    if cert is None:
        flash("Not yet: the requirements below are not all met. Each one missing has a link to do it.", "warning")
    return redirect(url_for(".certificate"))


@bp.route("/verify", methods=["GET"])
def verify_lookup():
    """Let anyone type a certificate's code and go to its verification page."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for(".verify", code=form.code.data.strip()))
    return render_template("pilot/verify_lookup.html", form=form), (400 if form.errors else 200)


@bp.route("/verify/<code>")
def verify(code: str):
    """Public: confirm a certificate's name, course, hours, date and trainer, or show that it was revoked."""
    cert = find_certificate(code)
    if cert is None:
        return render_template("pilot/verify.html", cert=None, code=code[:40]), 404
    allowed = can_revoke(current_user, cert)
    return render_template("pilot/verify.html", cert=cert, code=format_code(cert.code), staff=allowed,
                           form=RevokeForm() if allowed and not cert.revoked else None)


@bp.route("/verify/<code>/revoke", methods=["POST"])
@login_required
def revoke_certificate(code: str):
    """Revoke a certificate with a reason: a trainer of the cohort it was issued in, or an admin."""
    cert = find_certificate(code)
    if cert is None or not can_revoke(current_user, cert):
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".verify", code=format_code(cert.code)) + "#revoke")
    try:
        revoke(cert, current_user._get_current_object(), form.reason.data)
    except CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".verify", code=format_code(cert.code)) + "#revoke")
    db.session.commit()
    flash("Certificate revoked. The verification page now says so, with your reason.", "success")
    return redirect(url_for(".verify", code=format_code(cert.code)))


# ---------------------------------------------------------------- report and exports


def _filter_or_redirect():
    """Return the report filter from the query, or flash the problem and return None."""
    try:
        return build_filter(current_user, request.args)
    except FilterError as exc:
        flash(str(exc), "error")
        return None


@bp.route("/pilot/report")
@roles_required("trainer")
def report():
    """Show the pilot report: ratings, confidence and knowledge gains, the funnel and comments."""
    flt = _filter_or_redirect()
    if flt is None:
        return redirect(url_for(".report"))
    data = build_report(flt)
    charts = {
        "modules": module_ratings_chart(data.modules, HIDDEN_NOTE),
        "confidence": confidence_chart(data.evaluation.objectives) if not data.evaluation.hidden else None,
        "funnel": funnel_chart(data.funnel),
    }
    return render_template("pilot/report.html", report=data, flt=flt, charts=charts, hidden_note=HIDDEN_NOTE,
                           min_group=MIN_GROUP, recommend_choices=RECOMMEND_CHOICES, rule_note=RULE_NOTE,
                           month_label=month_label, section_tables=exports.section_tables())


@bp.route("/pilot/report/<table>.csv")
@roles_required("trainer")
def report_csv(table: str):
    """Download one table of the report as CSV (aggregates only; small groups stay hidden)."""
    section = exports.section_tables().get(table)
    if table not in exports.TABLES and section is None:
        abort(404)
    flt = _filter_or_redirect()
    if flt is None:
        return redirect(url_for(".report"))
    if section is not None:
        header, lines = section.header, section.rows(flt, HIDDEN_NOTE)
    else:
        header, rows, takes_note = exports.TABLES[table]
        data = build_report(flt)
        lines = rows(data, HIDDEN_NOTE) if takes_note else rows(data)
    suffix = f"-cohort-{flt.cohort.id}" if flt.cohort else ""
    return exports.csv_response(f"pilot-{table}{suffix}.csv", header, lines)


@bp.route("/pilot/completions.csv")
@roles_required("trainer")
def completions_csv():
    """Download completions with credit hours for agency training records."""
    flt = _filter_or_redirect()
    if flt is None:
        return redirect(url_for(".report"))
    suffix = f"-cohort-{flt.cohort.id}" if flt.cohort else ""
    return exports.csv_response(f"completions{suffix}.csv", exports.COMPLETION_HEADER,
                                exports.completion_rows(completions(flt), Namer()))
