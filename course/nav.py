"""The site navigation: each link appears once its feature's endpoint exists and the user may use it."""
from flask import Flask, request, url_for
from flask_login import current_user

# (endpoint, label, who may see it: "any" signed-in user, "learner", "trainer", or "admin")
NAV_ITEMS = (
    ("trainers.home", "Home", "trainer"),
    ("review.queue", "Review", "trainer"),
    ("cohorts.index", "Cohorts", "trainer"),
    ("classroom.index", "Classroom", "trainer"),
    ("curriculum.home", "Course", "any"),
    ("exercises.index", "Practice", "any"),
    ("drills.index", "Drills", "any"),
    ("glossary.index", "Glossary", "any"),
    ("objectives.index", "Objectives", "any"),
    ("pilot.certificate", "Certificate", "learner"),
    ("kit.index", "Kit", "trainer"),
    ("pilot.report", "Pilot report", "trainer"),
    ("admin.users", "Admin", "admin"),
)
# A trainer's header has more links than one row holds at 1280 px: these go under "More" on wide screens.
TRAINER_MORE = {"drills.index", "glossary.index", "objectives.index", "pilot.report", "admin.users"}


def _count(endpoint: str) -> int:
    """Return the number a link carries (the Review tab shows the sets waiting for this trainer)."""
    if endpoint == "review.queue":
        from .review.sets import waiting_count

        return waiting_count(current_user)
    return 0


def nav_links(app: Flask) -> list[dict]:
    """Return the links the current user should see, marking the current section."""
    if not current_user.is_authenticated:
        return []
    links = []
    for endpoint, label, who in NAV_ITEMS:
        if endpoint not in app.view_functions:
            continue
        if who == "trainer" and not current_user.is_trainer:
            continue
        if who == "learner" and current_user.is_trainer:
            continue
        if who == "admin" and not current_user.is_admin:
            continue
        blueprint = endpoint.split(".")[0]
        links.append({"url": url_for(endpoint), "label": label, "current": request.blueprint == blueprint,
                      "more": current_user.is_trainer and endpoint in TRAINER_MORE, "count": _count(endpoint)})
    return links


def register_nav(app: Flask) -> None:
    """Expose the navigation to every template."""

    @app.context_processor
    def inject_nav():
        # A function, so only pages that draw the header pay for its queries (the Review count).
        return {"nav_links": lambda: nav_links(app)}
