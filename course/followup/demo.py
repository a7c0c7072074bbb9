"""Demo data for the pilot report's "Use in practice, 30 days on": the six pilot learners' follow-up answers."""
from __future__ import annotations

from ..auth.services import find_user
from ..pilot.demo import PILOT_LEARNERS
from .services import FREQUENCIES, TOOLS, Guarded, answers_of, guard, save_answers

# Written here for the demo (no real case): one statement each, some ready and some still to improve.
STATEMENTS = (
    ("danger", "The worker and the grandmother are worried that when the mother has been drinking at night, "
               "she may fall asleep while cooking, and the baby could be burned."),
    ("harm", "Last Tuesday evening the father left the 6-year-old alone at home for three hours, and the child "
             "was found crying on the front step."),
    ("safety_goal", "The worker and the aunt need to see the mother ask the aunt to take the children every time "
                    "she has been drinking, for the next three months, so the children are cared for and safe."),
    ("danger", "We are worried the parent is unstable and may neglect the child."),
    ("sf_question", "What would your sister notice that tells her the children are safe at bedtime?"),
    ("harm", "The mother neglected the children."),
)
OBSTACLES = (["time"], ["forms"], ["team", "time"], ["confidence"], [], ["families"])


def seed(cohort) -> list[str]:
    """Give each pilot learner a follow-up answer, once (names and identifiers would be masked as usual)."""
    added = 0
    frequencies = list(FREQUENCIES)
    for index, (email, _name) in enumerate(PILOT_LEARNERS):
        user = find_user(email)
        if user is None or answers_of(user.id) is not None:
            continue
        kind, text = STATEMENTS[index % len(STATEMENTS)]
        tool_use = {tool: frequencies[(index + n) % len(frequencies)] for n, tool in enumerate(TOOLS)}
        if save_answers(user, tool_use, OBSTACLES[index], Guarded(""), kind, guard(kind, text)) is not None:
            added += 1
    return [f"  Follow-up: {added} pilot learners answered the 30-day follow-up."] if added else []
