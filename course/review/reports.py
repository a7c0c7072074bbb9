"""Trainer reports: grader agreement, the cohort debrief, CSV exports and revealing names."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grader.vocabulary import kind_label

from ..cohorts.services import managed_cohort, visible_cohorts
from ..converters import db_int
from ..database import utcnow
from ..names import REVEAL_HOURS, Namer, set_revealed
from ..security import is_safe_next, roles_required
from . import bp
from .analytics import (
    agreement,
    finding_counts,
    kappa_words,
    misplaced_facts,
    missed_problems,
    missing_components,
    not_an_issue_rules,
)
from .charts import bar_chart
from .exports import progress_csv, reviews_csv
from .forms import ActionForm
from .services import MISSED_LABELS


@bp.route("/agreement")
@roles_required("trainer")
def grader_agreement():
    """Show how often trainers' decisions match the grader, per kind, with Cohen's kappa."""
    cohorts = visible_cohorts(current_user)
    raw = request.args.get("cohort", "")
    chosen = db_int(raw)
    if raw and chosen is None:
        abort(404)  # no cohort has that id (and a huge one would make the query itself fail)
    if chosen is not None:
        cohorts = [managed_cohort(chosen, current_user)]
    rows, missed = missed_problems(cohorts)
    return render_template(
        "review/agreement.html", kinds=agreement(cohorts), kappa_words=kappa_words, rules=not_an_issue_rules(cohorts),
        missed_rows=rows, missed=missed[:30], missed_labels=MISSED_LABELS,
        cohorts=visible_cohorts(current_user), chosen=chosen,
    )


@bp.route("/cohorts/<int:cohort_id>/analytics")
@roles_required("trainer")
def cohort_analytics(cohort_id: int):
    """Show the cohort's most frequent findings, missing parts and misplaced facts for the debrief."""
    cohort = managed_cohort(cohort_id, current_user)
    findings = finding_counts(cohort)
    components = missing_components(cohort)
    facts = misplaced_facts(cohort)
    charts = {
        "findings": bar_chart("Grader findings by type", [(r["label"], r["count"]) for r in findings[:8]]),
        "components": {kind: bar_chart(f"{kind_label(kind)}: parts missing", [(r["label"], r["count"]) for r in rows],
                                       maximum=rows[0]["of"] if rows else None)
                       for kind, rows in components.items()},
        "facts": bar_chart("Mapping facts most often misplaced", [(r["label"], r["count"]) for r in facts]),
    }
    return render_template("review/analytics.html", cohort=cohort, findings=findings, components=components,
                           facts=facts, charts=charts)


def _csv_response(text: str, name: str) -> Response:
    """Return CSV text as a download."""
    stamp = utcnow().strftime("%Y-%m-%d")
    # the byte-order mark lets Excel read UTF-8 (names like José), as the pilot and attendance exports do
    return Response("\ufeff" + text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"', "Cache-Control": "no-store"})


def _slug(name: str) -> str:
    """Return a file-name-safe version of a cohort name."""
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "cohort"


@bp.route("/cohorts/<int:cohort_id>/progress.csv")
@roles_required("trainer")
def progress_export(cohort_id: int):
    """Download each learner's progress in the cohort."""
    cohort = managed_cohort(cohort_id, current_user)
    return _csv_response(progress_csv(cohort, Namer()), f"{_slug(cohort.name)}-progress")


@bp.route("/cohorts/<int:cohort_id>/reviews.csv")
@roles_required("trainer")
def reviews_export(cohort_id: int):
    """Download every review outcome in the cohort."""
    cohort = managed_cohort(cohort_id, current_user)
    return _csv_response(reviews_csv(cohort, Namer()), f"{_slug(cohort.name)}-reviews")


@bp.route("/cohorts/<int:cohort_id>/names", methods=["POST"])
@roles_required("trainer")
def reveal_names(cohort_id: int):
    """Show or hide learners' names in an anonymous cohort, for this session."""
    cohort = managed_cohort(cohort_id, current_user)
    if ActionForm().validate_on_submit():
        reveal = request.form.get("reveal") == "1"
        set_revealed(cohort, reveal)
        flash(f"Learners' names are shown for this cohort until you sign out (at most {REVEAL_HOURS} hours)." if reveal
              else "Learners' names are hidden again.", "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("cohorts.show", cohort_id=cohort.id))
