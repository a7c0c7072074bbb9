"""All database models. Each feature keeps its tables in its own module here."""
from .users import AccountToken, Cohort, CohortInvitation, Enrollment, Role, SignIn, User, cohort_trainers  # noqa: F401
from .progress import ModuleProgress  # noqa: F401
from .work import InvalidTransition, MappingAttempt, Work, WorkStatus, WorkVersion  # noqa: F401

# Every feature's tables, imported so they join the metadata.
from . import classroom, mail, pilot, quizzes, ratelimit, review, xapi  # noqa: E402,F401
