"""All database models. Each feature keeps its tables in its own module here."""
# Every feature's tables, imported so they join the metadata.
from . import attendance, classroom, loop, mail, notices, pilot, quizzes, ratelimit, review, xapi  # noqa: F401
from .practice import PracticeVersion, PracticeWork  # noqa: F401
from .progress import ModuleProgress  # noqa: F401
from .users import (  # noqa: F401
    AccountToken,
    Cohort,
    CohortInvitation,
    Enrollment,
    Role,
    SignIn,
    User,
    cohort_trainers,
)
from .work import InvalidTransition, MapBoard, MapBoardRevision, MapEntry, MappingAttempt, Work, WorkStatus, WorkVersion  # noqa: F401
