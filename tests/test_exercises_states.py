"""Work's status state machine: every move allowed by the review cycle works, every other is refused."""
from __future__ import annotations

import itertools

import pytest

from course.models import InvalidTransition, Work, WorkStatus

S = WorkStatus
# Written out by hand from the review cycle (not read from the code under test).
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),        # learner submits
    (S.SUBMITTED, S.IN_REVIEW),    # trainer claims
    (S.SUBMITTED, S.DRAFT),        # learner withdraws before review
    (S.IN_REVIEW, S.RETURNED),     # trainer returns for revision
    (S.IN_REVIEW, S.ACCEPTED),     # trainer accepts
    (S.IN_REVIEW, S.SUBMITTED),    # trainer releases the claim
    (S.RETURNED, S.DRAFT),         # learner starts revising
}
PAIRS = list(itertools.product(WorkStatus, WorkStatus))


@pytest.mark.parametrize("current, target", [p for p in PAIRS if p in ALLOWED], ids=lambda s: s.value)
def test_allowed_transition(current, target):
    work = Work(status=current.value)
    work.transition(target)
    assert work.state is target


@pytest.mark.parametrize("current, target", [p for p in PAIRS if p not in ALLOWED], ids=lambda s: s.value)
def test_refused_transition_explains_itself(current, target):
    work = Work(status=current.value)
    with pytest.raises(InvalidTransition) as caught:
        work.transition(target)
    assert work.state is current
    message = str(caught.value)
    assert "cannot become" in message and "Reload the page" in message


@pytest.mark.parametrize("status, editable", [(S.DRAFT, True), (S.RETURNED, True), (S.SUBMITTED, False),
                                              (S.IN_REVIEW, False), (S.ACCEPTED, False)])
def test_only_drafts_and_returned_work_are_editable(status, editable):
    assert Work(status=status.value).editable is editable
