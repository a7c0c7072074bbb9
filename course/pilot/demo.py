"""Demo data for the pilot report: six pilot learners who studied, rated modules, evaluated the course and took
the key-terms checks before and after, so every section of the report shows (none is under five responses).

The ratings, comments and answers are invented for the demo and vary from learner to learner; they are
stored through the same services the pages use. Running the demo again changes nothing.
"""
from __future__ import annotations

import random

from ..auth.services import create_user, enroll, find_user
from ..completion.services import rules
from ..curriculum.services import all_modules, set_complete
from ..demo_progress import answers_for
from ..models import Cohort, Role, User
from ..quizzes.loader import Item
from ..quizzes.services import POOL_ID, get_quiz, record_attempt
from .objectives import OBJECTIVES
from .services import save_evaluation, save_feedback

PILOT_LEARNERS = (
    ("pilot1@example.org", "Jordan Ellis"),
    ("pilot2@example.org", "Maya Castillo"),
    ("pilot3@example.org", "Ravi Menon"),
    ("pilot4@example.org", "Kim Osei"),
    ("pilot5@example.org", "Lena Fischer"),
    ("pilot6@example.org", "Theo Park"),
)
FINISHED = 5  # the first five finish the course; the sixth is halfway through

MODULE_COMMENTS = (
    "The worked examples made the difference between harm and danger clear.",
    "A little long; the second case study could be shorter.",
    "I liked practising with a partner before writing on my own.",
    "The slides and the handout said the same thing in different words, which helped.",
    "More time on the scaling question, please.",
    "",
    "Useful for my next home visit.",
)
KEEP = (
    "Writing statements and getting feedback the same day.",
    "The mapping board with the whole room.",
    "The plain-language practice: families should understand every word.",
    "The review game at the end of day one.",
    "Hearing how other counties use the three questions.",
    "The worked examples in the key terms module.",
)
CHANGE = (
    "Fewer slides before the first activity.",
    "A printed glossary to keep at my desk.",
    "More practice with danger statements for infants.",
    "Shorter breaks and an earlier finish on day two.",
    "An example of a safety plan that changed over time.",
    "",
)


def _answer(item: Item, right: bool, rng: random.Random):
    """Return an answer to a knowledge-check item: the right one, or a plausible wrong one."""
    if item.type in ("single", "multiple"):
        correct = sorted(item.correct_indexes)
        if right:
            return correct[0] if item.type == "single" else correct
        wrong = [i for i in range(len(item.options)) if i not in correct]
        return rng.choice(wrong) if item.type == "single" else correct[:-1] + wrong[:1]
    if item.type == "match":
        order = list(range(len(item.pairs)))
        return order if right else order[1:] + order[:1]
    columns = [entry.column for entry in item.entries]
    return columns if right else columns[1:] + columns[:1]


def _take_check(user: User, kind: str, share_right: float, rng: random.Random) -> None:
    """Record a pre or post key-terms check with about `share_right` of the items answered right."""
    check = get_quiz(POOL_ID)
    if check is None:
        return
    answers = {item.id: _answer(item, rng.random() < share_right, rng) for item in check.items_for(kind)}
    record_attempt(user, check, kind, answers)


def _study(user: User, index: int, rng: random.Random) -> None:
    """Complete modules, rate them, evaluate the course and take both checks, as one pilot learner might."""
    modules = all_modules()
    done = modules if index < FINISHED else modules[: len(modules) // 2]
    found = rules()
    for module in done:
        set_complete(user, module.id)
        quiz = get_quiz(module.quiz) if module.quiz else None
        if found.rule_for(module).counts == "check" and quiz is not None:  # such a module counts by its check
            record_attempt(user, quiz, "module", answers_for(quiz))
        save_feedback(user, module.id, usefulness=rng.choice((3, 4, 4, 5, 5)), clarity=rng.choice((3, 4, 4, 5)),
                      comment=rng.choice(MODULE_COMMENTS))
    before = {n: rng.choice((1, 2, 2, 3)) for n in OBJECTIVES}
    confidence = {n: (b, min(5, b + rng.choice((1, 1, 2, 2, 3)))) for n, b in before.items()}
    save_evaluation(user, confidence, usefulness=rng.choice((4, 4, 5)),
                    recommend=("yes", "yes", "maybe", "yes", "no", "yes")[index], keep=KEEP[index],
                    change=CHANGE[index])
    _take_check(user, "pre", 0.35 + 0.05 * index, rng)
    _take_check(user, "post", 0.7 + 0.04 * index, rng)


def seed(cohort: Cohort) -> list[str]:
    """Add the six pilot learners to the demo cohort with their report data (once)."""
    if find_user(PILOT_LEARNERS[0][0]) is not None:
        return []
    password = find_password()
    for index, (email, name) in enumerate(PILOT_LEARNERS):
        user = create_user(email, name, password, Role.LEARNER)
        enroll(user, cohort)
        _study(user, index, random.Random(f"pilot-demo-{index}"))
    return [f"  Pilot report: {len(PILOT_LEARNERS)} pilot learners (pilot1@example.org to pilot6@example.org), "
            f"{FINISHED} of them through every module, with ratings, evaluations and key-terms checks."]


def find_password() -> str:
    """Return the demo password (the pilot learners sign in with it like the other demo accounts)."""
    from ..demo import demo_password  # the demo module runs this seeder, so it is imported here

    return demo_password()
