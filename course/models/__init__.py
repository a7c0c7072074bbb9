"""All database models. Each feature keeps its tables in its own module here."""
# Every feature's tables, imported so they join the metadata.
from . import attendance, classroom, pilot, quizzes, review, xapi  # noqa: F401
from .progress import ModuleProgress  # noqa: F401
from .users import Cohort, Enrollment, LoginAttempt, Role, User, cohort_trainers  # noqa: F401
from .work import InvalidTransition, MappingAttempt, Work, WorkStatus, WorkVersion  # noqa: F401
