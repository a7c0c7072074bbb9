"""Every feature blueprint, registered in one place, one explicit line each (as flaskr does)."""
from flask import Flask

from . import (
    admin,
    api,
    attendance,
    auth,
    classroom,
    cohorts,
    completion,
    curriculum,
    drills,
    exercises,
    followup,
    glossary,
    health,
    kit,
    mail,
    notices,
    objectives,
    pilot,
    quizzes,
    review,
    trainers,
    xapi,
)


def register_blueprints(app: Flask) -> None:
    """Attach each feature's blueprint to the app, then let the features that need it hook in."""
    app.register_blueprint(curriculum.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(cohorts.bp, url_prefix="/cohorts")
    app.register_blueprint(attendance.bp, url_prefix="/cohorts")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(health.bp)
    app.register_blueprint(exercises.bp)
    app.register_blueprint(drills.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(quizzes.bp)
    app.register_blueprint(glossary.bp)
    app.register_blueprint(objectives.bp)
    app.register_blueprint(classroom.bp)
    app.register_blueprint(pilot.bp)
    app.register_blueprint(xapi.bp)
    app.register_blueprint(kit.bp)
    app.register_blueprint(followup.bp)
    app.register_blueprint(notices.bp)
    app.register_blueprint(trainers.bp)
    classroom.init_app(app)
    completion.init_app(app)
    pilot.init_app(app)
    quizzes.init_app(app)
    xapi.init_app(app)
    mail.init_app(app)
    followup.init_app(app)
