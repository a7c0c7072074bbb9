"""The `content check` checker for knowledge checks: schema, links between quizzes and modules, and the
item-bank rules (longest-answer keys, uneven options, cases that must be new; see `bank`)."""
from __future__ import annotations

from ..content_check import register_checker
from ..module_files import Problem, library_for as module_library
from .bank import bank_problems, module_texts
from .loader import library_for
from .services import POOL_ID


@register_checker("quizzes")
def check_quizzes(settings: dict) -> list[Problem]:
    """Validate every quiz file, each module's `quiz:` reference, each quiz's `module:`, and the item bank."""
    library = library_for(settings["CONTENT_DIR"])
    problems = library.problems()
    quizzes = {quiz.id: quiz for quiz in library.all()}
    modules = module_library(settings["CONTENT_DIR"]).all()
    module_ids = {module.id for module in modules}
    for module in modules:
        if not module.quiz:
            continue
        quiz = quizzes.get(module.quiz)
        if quiz is None:
            if not (library.directory / f"{module.quiz}.yaml").exists():
                problems.append(
                    Problem(
                        module.path, 2, f"quiz '{module.quiz}' does not exist (no content/quizzes/{module.quiz}.yaml)"
                    )
                )
        elif quiz.pool:
            problems.append(
                Problem(module.path, 2, f"quiz '{module.quiz}' is the pre/post pool; give the module its own check")
            )
        elif quiz.module != module.id:
            problems.append(
                Problem(
                    module.path, 2, f"quiz '{module.quiz}' says it belongs to module '{quiz.module}', not '{module.id}'"
                )
            )
    for quiz in quizzes.values():
        if quiz.pool:
            continue
        if quiz.module not in module_ids:
            problems.append(Problem(quiz.path, 1, f"module '{quiz.module}' does not exist"))
        elif not any(m.quiz == quiz.id for m in modules if m.id == quiz.module):
            problems.append(
                Problem(
                    quiz.path,
                    1,
                    f"module '{quiz.module}' does not list this check; add 'quiz: {quiz.id}' to its front matter",
                )
            )
    texts = module_texts(modules)
    for quiz in quizzes.values():
        problems.extend(bank_problems(quiz, texts))
    pool = quizzes.get(POOL_ID)
    if (
        library.directory.is_dir()
        and (library.directory / f"{POOL_ID}.yaml").exists()
        and pool is not None
        and not pool.pool
    ):
        problems.append(Problem(pool.path, 1, f"'{POOL_ID}' is the pre/post pool and needs 'pool: true'"))
    return problems
