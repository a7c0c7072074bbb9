"""The site navigation: each link appears once its feature's endpoint exists and the user may use it."""
from flask import Flask, request, url_for
from flask_login import current_user

# (endpoint, label, who may see it: "any" signed-in user, "learner", "trainer", or "admin")
NAV_ITEMS = (
    ("curriculum.home", "Course", "any"),
    ("exercises.index", "Practice", "any"),
    ("drills.index", "Drills", "any"),
    ("glossary.index", "Glossary", "any"),
    ("objectives.index", "Objectives", "any"),
    ("pilot.certificate", "Certificate", "learner"),
    ("cohorts.index", "Cohorts", "trainer"),
    ("review.queue", "Review", "trainer"),
    ("classroom.index", "Classroom", "trainer"),
    ("kit.index", "Kit", "trainer"),
    ("pilot.report", "Pilot report", "trainer"),
    ("admin.users", "Admin", "admin"),
)


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
        links.append({"url": url_for(endpoint), "label": label, "current": request.blueprint == blueprint})
    return links


def register_nav(app: Flask) -> None:
    """Expose the navigation to every template."""

    @app.context_processor
    def inject_nav():
        return {"nav_links": nav_links(app)}
