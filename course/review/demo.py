"""Demo data: a starter comment bank for each trainer of the demo cohort."""
from __future__ import annotations

from ..models import Cohort
from .services import bank, save_to_bank

STARTER_COMMENTS = (
    "Replace the label with what the caregiver did or did not do, when, and what happened to the child.",
    "Say who is worried: the social worker and the network members who share the worry.",
    "Describe what the caregiver will be doing that keeps the child safe, not what they will stop doing.",
    "Add how long the change needs to be seen, for example every weekend for the next six months.",
    "Ask what, how or when instead of why: 'what helped?' invites an answer; 'why?' sounds like blame.",
)


def seed(cohort: Cohort) -> list[str]:
    """Give each trainer of the cohort a few saved comments, once."""
    seeded = []
    for trainer in cohort.trainers:
        if bank(trainer):
            continue
        for text in STARTER_COMMENTS:
            save_to_bank(trainer, text)
        seeded.append(trainer.display_name)
    return [f"  Review: starter comment bank for {', '.join(seeded)}."] if seeded else []
