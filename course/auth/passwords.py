"""Password rules, each with a message that says how to fix it."""
from __future__ import annotations

MIN_LENGTH = 10
COMMON = {
    "password", "password1", "password12", "password123", "1234567890", "qwertyuiop",
    "letmein123", "welcome123", "iloveyou12", "abcdefghij", "0987654321", "childwelfare",
    "socialwork", "california",
}


def password_problems(password: str, email: str = "") -> list[str]:
    """Return the rules the password breaks, as messages (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (you used {len(password)}).")
    if password and len(set(password)) < 4:
        problems.append("Use more than three different characters.")
    if password.lower() in COMMON:
        problems.append("That password is too common; choose something only you would think of.")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        problems.append("Do not include your email name in the password.")
    return problems
