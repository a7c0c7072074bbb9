"""The set review screen, built read-only: one dataclass holds everything the template shows.

`build_set_screen` never writes (reviews are started by the claim, a POST), so a trainer can open any set
of their cohorts to read it. The view passes request-bound forms back in after a refused POST.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..curriculum.render import render_markdown
from ..marks import Segment, segments
from ..models import Cohort, User, Work, WorkVersion
from ..models.review import CommentBankEntry, GraderFeedback, Review
from ..names import Namer
from ..vignettes import Vignette, get_vignette
from .forms import CommentForm, MissedForm, RubricForm, SetForm, review_data, rubric_form
from .marks import DiffPart, comment_marks, comment_refs, finding_marks, word_diff
from .rubric import rubric_rows
from .services import bank, grader_feedback, not_an_issue_keys, previous_review, review_of
from .sets import SetFilters, SetSummary, current_submitted, neighbour_sets, set_queue, statement_label


@dataclass
class ClaimState:
    """Who holds the set and what the viewer may do about it."""

    mine: bool
    holder: User | None
    idle: bool
    claimable: bool  # something is waiting and the viewer may claim it (free, or an idle claim to take over)
    status: str  # waiting | in_review | returned | accepted


@dataclass
class StatementScreen:
    """One statement of the set, with everything its part of the screen shows."""

    work: Work
    title: str
    anchor: str
    version: WorkVersion | None
    review: Review | None
    previous: Review | None
    resubmitted: bool
    editable: bool
    report: dict
    segments: list[Segment]
    refs: dict[int, str]
    dismissed: set
    missed: list[GraderFeedback]
    diff: list[DiffPart]
    previous_refs: dict[int, str]
    exemplars: list[str]
    rubric: list[dict]
    form: RubricForm | None
    comment_form: CommentForm
    missed_form: MissedForm
    problems: list[str] = field(default_factory=list)

    @property
    def comments(self) -> list:
        """Return the inline comments of the review shown."""
        return self.review.comments if self.review else []

    @property
    def open(self) -> bool:
        """Return whether the statement waits for, or is in, review."""
        return self.work.status in ("submitted", "in_review")


@dataclass
class SetScreen:
    """The whole set review screen."""

    summary: SetSummary
    learner_label: str
    cohort: Cohort | None
    anonymous: bool
    vignette: Vignette | None
    narrative: Markup
    claim: ClaimState
    statements: list[StatementScreen]
    before: SetSummary | None
    after: SetSummary | None
    filters: SetFilters
    bank: list[CommentBankEntry]
    page_form: SetForm

    @property
    def title(self) -> str:
        """Return the family's title (never its raw id when the family is known)."""
        return self.vignette.title if self.vignette else self.summary.vignette_id

    @property
    def editable(self) -> list[StatementScreen]:
        """Return the statements the viewer is reviewing now."""
        return [s for s in self.statements if s.editable]


def _exemplars(vignette: Vignette | None, work: Work) -> list[str]:
    """Return the trainer exemplar(s) for this statement (a numbered kind gets the one at its position)."""
    if vignette is None:
        return []
    texts = vignette.exemplars.get(work.kind, [])
    if work.kind in ("danger", "safety_goal"):
        return texts[work.position - 1: work.position] or texts
    return texts


def _bank_choices(entries: list[CommentBankEntry]) -> list[SelectChoice]:
    """Return the comment bank as select choices."""
    return [SelectChoice(None, "Choose a saved comment")] + [SelectChoice(e.id, e.text[:80]) for e in entries]


def claim_state(viewer: User, summary: SetSummary) -> ClaimState:
    """Return the set's claim as the viewer sees it."""
    holder_id = summary.holder_id
    from ..extensions import db

    holder = db.session.get(User, holder_id) if holder_id else None
    mine = holder is not None and holder.id == viewer.id
    idle = holder is not None and not mine and summary.idle
    claimable = bool(summary.open_works) and (holder is None or idle)
    return ClaimState(mine, holder, idle, claimable, summary.status)


def statement_screen(work: Work, vignette: Vignette | None, mine: bool, entries: list[CommentBankEntry],
                     form: RubricForm | None = None, problems: list[str] | None = None) -> StatementScreen:
    """Return one statement's part of the screen (its form from the stored review unless one is given)."""
    version = current_submitted(work)
    review = review_of(version)
    previous = previous_review(work, version) if version else None
    report = (version.report if version else None) or {}
    anchor = f"work-{work.id}"
    prefix = f"w{work.id}-"
    editable = mine and work.status == "in_review" and version is not None
    comments = review.comments if review else []
    if editable and form is None:
        form = rubric_form(work.kind, prefix, data=review_data(review))
    if form is not None:
        form.overall_bank.choices = _bank_choices(entries)
    comment_form = CommentForm(prefix=f"{prefix}comment", formdata=None)
    comment_form.bank_entry.choices = _bank_choices(entries)
    return StatementScreen(
        work=work, title=statement_label(work.kind, work.position), anchor=anchor, version=version, review=review,
        previous=previous, resubmitted=previous is not None and previous.decision == "return" and work.status in (
            "submitted", "in_review"),
        editable=editable, report=report,
        segments=(segments(version.text, finding_marks(report, version.text, prefix) + comment_marks(comments))
                  if version else []),
        refs=comment_refs(comments), dismissed=not_an_issue_keys(version) if version else set(),
        missed=[f for f in grader_feedback(version) if f.feedback == "missed"] if version else [],
        diff=word_diff(previous.version.text, version.text) if previous and version else [],
        previous_refs=comment_refs(previous.comments) if previous else {},
        exemplars=_exemplars(vignette, work), rubric=rubric_rows(work.kind, review.rubric if review else {}),
        form=form if editable else None, comment_form=comment_form,
        missed_form=MissedForm(prefix=f"{prefix}missed", formdata=None), problems=problems or [],
    )


def build_set_screen(viewer: User, summary: SetSummary, filters: SetFilters,
                     forms: dict[int, RubricForm] | None = None,
                     problems: dict[int, list[str]] | None = None) -> SetScreen:
    """Return everything the set screen shows; reads only."""
    namer = Namer(viewer)
    vignette = get_vignette(summary.vignette_id)
    claim = claim_state(viewer, summary)
    entries = bank(viewer)
    statements = [statement_screen(w, vignette, claim.mine, entries, (forms or {}).get(w.id),
                                   (problems or {}).get(w.id)) for w in summary.works]
    before, after = neighbour_sets(set_queue(viewer, filters), summary)
    return SetScreen(
        summary=summary, learner_label=namer.name(summary.learner, summary.cohort), cohort=summary.cohort,
        anonymous=namer.hides(summary.cohort), vignette=vignette,
        narrative=Markup(render_markdown(vignette.narrative)) if vignette else Markup(""),
        claim=claim, statements=statements, before=before, after=after, filters=filters, bank=entries,
        page_form=SetForm(),
    )
