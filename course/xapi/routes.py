"""xAPI export: a cohort's statements as JSON for trainers and admins."""
from __future__ import annotations

import json

from flask import Response, abort
from flask_login import current_user
from sqlalchemy import select

from ..cohorts.services import can_manage
from ..extensions import db
from ..models import Cohort
from ..models.xapi import XapiStatement
from ..security import roles_required
from . import bp


@bp.route("/cohorts/<int:cohort_id>/statements.json")
@roles_required("trainer")
def export_cohort(cohort_id: int):
    """Download every statement recorded for a cohort's learners, oldest first, as a JSON array."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_manage(current_user, cohort):
        abort(403)
    rows = db.session.scalars(
        select(XapiStatement)
        .where(XapiStatement.cohort_id == cohort.id)
        .order_by(XapiStatement.created_at, XapiStatement.id)
    )
    body = json.dumps([row.statement for row in rows], indent=2)
    filename = f"xapi-cohort-{cohort.id}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
