"""What learners see: their reviewed versions with comments in place, and a download of all their work."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, json, render_template
from flask_login import current_user, login_required

from ..database import utcnow
from ..marks import Segment, segments
from ..models import Work, WorkVersion
from ..models.review import Review
from ..vignettes import get_vignette
from . import bp
from .exports import my_work
from .marks import comment_marks, comment_refs
from .rubric import rubric_rows
from .services import decided_reviews, may_review, own_work_or_404


@dataclass
class Feedback:
    """A decided review, ready to show to the learner."""

    review: Review
    version: WorkVersion
    segments: list[Segment]
    refs: dict[int, str]
    rubric: list[dict]

    @property
    def accepted(self) -> bool:
        """Return whether the trainer accepted this version."""
        return self.review.decision == "accept"


def feedback_for(review: Review, kind: str) -> Feedback:
    """Return a decided review with the statement split around its comments."""
    version = review.version
    return Feedback(review, version, segments(version.text, comment_marks(review.comments)),
                    comment_refs(review.comments), rubric_rows(kind, review.rubric))


@bp.app_template_global("review_feedback_for")
def review_feedback_for(work: Work | None) -> Feedback | None:
    """Return the latest decided review of the work, for its learner (or a trainer who may see it)."""
    if work is None or not current_user.is_authenticated:
        return None
    if work.user_id != current_user.id and not may_review(current_user, work):
        return None
    reviews = decided_reviews(work)
    return feedback_for(reviews[-1], work.kind) if reviews else None


@bp.route("/mine/<int:work_id>")
@login_required
def my_feedback(work_id: int):
    """Show the learner every review of their own work, newest first, with comments in place."""
    work = own_work_or_404(work_id, current_user)
    vignette = get_vignette(work.vignette_id)
    return render_template(
        "review/mine.html", work=work,
        vignette_title=vignette.title if vignette else work.vignette_id,
        items=[feedback_for(r, work.kind) for r in reversed(decided_reviews(work))],
    )


@bp.route("/my-work.json")
@login_required
def my_work_json():
    """Download everything the signed-in learner wrote and was told, as JSON."""
    body = json.dumps(my_work(current_user), indent=2, ensure_ascii=False)
    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="my-sop-work-{stamp}.json"', "Cache-Control": "no-store"})
