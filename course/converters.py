"""URL converters: an <int:...> id past the database's integer range is a page that does not exist (404), not a 500."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from .numbers import plain_int

# PostgreSQL's INTEGER columns stop at 2**31 - 1 (SQLite's at 2**63 - 1): a larger id in a URL made the query
# itself fail ("integer out of range", "Python int too large to convert to SQLite INTEGER") and the page a 500.
MAX_ID = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """Werkzeug's <int:...>, refusing values no INTEGER column can hold, so the URL simply does not match."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(value) -> int | None:
    """Return an id read from a query string, form or JSON body, or None when no INTEGER column could hold it."""
    number = plain_int(value, max_digits=len(str(MAX_ID)))  # plain digits only: no sign, spaces or "²"
    return number if number is not None and number <= MAX_ID else None
