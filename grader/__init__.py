"""SOP Foundations statement grader: harm, danger, safety goal and solution-focused questions.

Framework-free: the Flask app, the CLI and the tests all call grade() and friends.
"""

from .core import DEFAULT_BATCH_SIZE, GRADER_VERSION, MAX_CHARS, GradeError, check_input, grade, grade_many
from .people import GraderInputError, Person, Roster, roster_from_mapping
from .pipeline import load_pipeline, pipeline_status, preload_in_background
from .report import Component, Evidence, Finding, Question, Report
from .ruleset import RuleFileError, default_ruleset, load_ruleset
from .vocabulary import (
    CATEGORIES,
    KINDS,
    QUESTION_TYPES,
    VocabularyError,
    category_label,
    component_label,
    components,
    is_numbered,
    kind_from_slug,
    kind_label,
    kind_slug,
    question_type_label,
)

__all__ = [
    "GRADER_VERSION",
    "GraderInputError",
    "Person",
    "Roster",
    "roster_from_mapping",
    "KINDS",
    "MAX_CHARS",
    "DEFAULT_BATCH_SIZE",
    "Component",
    "Evidence",
    "Finding",
    "GradeError",
    "Question",
    "Report",
    "RuleFileError",
    "check_input",
    "default_ruleset",
    "grade",
    "grade_many",
    "load_pipeline",
    "load_ruleset",
    "pipeline_status",
    "preload_in_background",
    "CATEGORIES",
    "QUESTION_TYPES",
    "VocabularyError",
    "category_label",
    "component_label",
    "components",
    "is_numbered",
    "kind_from_slug",
    "kind_label",
    "kind_slug",
    "question_type_label",
]
