"""All database models. Each feature keeps its tables in its own module here."""
import importlib

from .users import Cohort, Enrollment, LoginAttempt, Role, User, cohort_trainers  # noqa: F401
from .progress import ModuleProgress  # noqa: F401
from .work import InvalidTransition, MappingAttempt, Work, WorkStatus, WorkVersion  # noqa: F401

# Feature model modules, imported when present so their tables join the metadata.
for _name in ("review", "quizzes", "classroom", "pilot", "xapi", "jobs"):
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{__name__}.{_name}":
            raise
