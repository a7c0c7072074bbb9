"""Signal receivers: a passed check or a done activity completes a module, and that is announced once."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..events import module_completed
from ..extensions import db
from ..models.quizzes import QuizAttempt
from .services import module_for_quiz, modules, passes, rules


def _announce(user, module_id: str) -> None:
    """Send module_completed for the learner (xAPI and the certificate listen)."""
    module_completed.send(current_app._get_current_object(), user=user, module_id=module_id)


def on_quiz_scored(sender, user, quiz_id: str, score: float, max_score: float, **extra) -> None:
    """Announce a module as completed the first time its check is passed, or its pre-check activity is done.

    The attempt is already flushed, so "the first time" means it is the learner's only attempt that counts.
    """
    found = rules()
    if quiz_id.endswith("-pre"):
        taken = db.session.scalar(select(QuizAttempt.id).where(
            QuizAttempt.user_id == user.id, QuizAttempt.kind == "pre").offset(1).limit(1))
        if taken is not None:
            return
        for module in modules():
            rule = found.rule_for(module)
            if rule.counts == "activity" and rule.activity and rule.activity.type == "pre_check":
                _announce(user, module.id)
        return
    module = module_for_quiz(quiz_id)
    if module is None or found.rule_for(module).counts != "check":
        return
    threshold = found.threshold(module)
    if not passes(score, max_score, threshold):
        return
    rows = db.session.execute(select(QuizAttempt.score, QuizAttempt.max_score).where(
        QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz_id, QuizAttempt.kind == "module"))
    if sum(1 for s, m in rows if passes(s, m, threshold)) == 1:
        _announce(user, module.id)
