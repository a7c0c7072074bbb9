"""What the module page's feedback include needs, computed on demand."""
from __future__ import annotations

from flask_login import current_user

from ..curriculum.services import all_modules
from ..models import Role
from .forms import ModuleFeedbackForm
from .services import certificate_for, feedback_for


def module_feedback_context(module) -> dict | None:
    """Return the feedback state for the current learner on a module, or None for staff and visitors."""
    if not current_user.is_authenticated or current_user.role != Role.LEARNER.value:
        return None
    row = feedback_for(current_user, module.id)
    answered = row is not None and not row.skipped and row.usefulness is not None
    modules = all_modules()
    return {
        "row": row,
        "answered": answered,
        "skipped": row is not None and row.skipped,
        "form": ModuleFeedbackForm(obj=row if answered else None, formdata=None),
        "last": bool(modules) and modules[-1].id == module.id,
        "certificate": certificate_for(current_user),
    }
