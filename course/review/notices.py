"""What a learner is told when a trainer decides their set or comments later (through the notices service)."""
from __future__ import annotations

from flask import url_for

from grader.vocabulary import kind_slug

from ..models import User, Work
from ..notices import notify
from ..vignettes import get_vignette
from ..words import join_words, pluralise
from .sets import Decision, statement_label


def statement_url(work: Work) -> str:
    """Return the learner's page for one statement."""
    return url_for("exercises.statement", vignette_id=work.vignette_id, kind=kind_slug(work.kind),
                   position=work.position)


def _family(vignette_id: str) -> str:
    """Return the family's title for a sentence."""
    vignette = get_vignette(vignette_id)
    return vignette.title if vignette else "your practice family"


def announce_decisions(learner: User, vignette_id: str, decisions: list[Decision]) -> None:
    """Give the learner one notice for a set's decisions: what was returned (first) and what was accepted."""
    returned = [d.work for d in decisions if d.decision == "return"]
    accepted = [d.work for d in decisions if d.decision == "accept"]
    family = _family(vignette_id)
    lines = []
    if returned:
        lines.append("Returned for revision: " + join_words([statement_label(w.kind, w.position) for w in returned])
                     + ". Read your trainer's comments, revise, and submit again.")
    if accepted:
        lines.append("Accepted: " + join_words([statement_label(w.kind, w.position) for w in accepted]) + ".")
    if returned:
        title = f"{family}: {pluralise(len(returned), 'statement')} returned for revision"
        notify(learner, "returned", title, "\n".join(lines), statement_url(returned[0]))
    else:
        title = f"{family}: your trainer accepted {pluralise(len(accepted), 'statement')}"
        notify(learner, "accepted", title, "\n".join(lines),
               url_for("exercises.case", vignette_id=vignette_id) + "#steps")


def announce_comment(learner: User, work: Work) -> None:
    """Tell the learner a trainer added a comment to a statement already decided."""
    label = statement_label(work.kind, work.position)
    notify(learner, "comment", f"{_family(work.vignette_id)}: a new comment on your {label}",
           "Your trainer added a comment after reviewing it.", statement_url(work))
