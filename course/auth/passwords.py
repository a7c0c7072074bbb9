"""Password rules, each with a message that says how to fix it.

Common passwords come from the `zxcvbn` package (MIT licence, github.com/dwolfhub/zxcvbn-python):
its `frequency_lists.FREQUENCY_LISTS["passwords"]` holds the 30,000 passwords seen most often in
leaked password sets. We refuse those, and the same words dressed up the usual ways: any letter
case, digits or symbols added before or after ("Password123!"), and common letter-for-symbol swaps.
"""
from __future__ import annotations

import re
from functools import lru_cache

MIN_LENGTH = 10
MAX_LENGTH = 200
# Words anyone in this course would try first; the leaked-password list does not know them.
COURSE_WORDS = {"childwelfare", "socialwork", "socialworker", "california", "sopfoundations", "safetyorganized",
                "safetyorganizedpractice", "foundations", "harmstatement", "dangerstatement", "safetygoal"}
_SWAPS = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the common-password list (loaded once per process, about 30,000 entries)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"]) | COURSE_WORDS


def _variants(password: str) -> set[str]:
    """Return the forms of a password to look up: as typed, without digits or symbols at its edges, unswapped."""
    lowered = password.lower()
    squeezed = re.sub(r"[\s\-_.]+", "", lowered)
    forms = {lowered, squeezed, _EDGES.sub("", lowered), _EDGES.sub("", squeezed)}
    forms |= {form.translate(_SWAPS) for form in list(forms)}
    forms |= {_EDGES.sub("", form) for form in list(forms)}
    return {form for form in forms if form}


def is_common(password: str) -> bool:
    """Return whether the password is a common one, or a common one with the usual additions."""
    words = common_passwords()
    return any(form in words for form in _variants(password))


def password_problems(password: str, email: str = "") -> list[str]:
    """Return the rules the password breaks, as messages (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (you used {len(password)}).")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if password and len(set(password)) < 4:
        problems.append("Use more than three different characters.")
    if password and is_common(password):
        problems.append("That password is on the list of common passwords that attackers try first, even with "
                        "numbers or symbols added. Choose three or four unrelated words instead, for example "
                        "'kettle orbit maple lantern'.")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        problems.append("Do not include your email name in the password.")
    return problems
