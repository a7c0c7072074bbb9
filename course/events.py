"""Signals that features send when learners reach milestones (xAPI and reports listen)."""
from blinker import Namespace

_signals = Namespace()

# Each is sent with sender=current app and keyword arguments named in the comment.
module_completed = _signals.signal("module-completed")  # user, module_id
quiz_scored = _signals.signal("quiz-scored")  # user, quiz_id, score, max_score
work_submitted = _signals.signal("work-submitted")  # user, work, version
work_accepted = _signals.signal("work-accepted")  # user, work, version, score (0-1 or None)
course_completed = _signals.signal("course-completed")  # user, certificate
drill_graded = _signals.signal("drill-graded")  # user, drill_id, ready (the rewrite graded ready), practice
follow_up_answered = _signals.signal("follow-up-answered")  # user, answers (a FollowUp)
