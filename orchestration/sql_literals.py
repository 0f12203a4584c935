"""Values written into SQL text where a statement takes no parameter there.

DuckDB takes no parameter for a file a `copy … to`, `attach` or `read_csv` names, nor for the text of
a `comment on`; those values are written into the statement as string literals instead.
"""

from __future__ import annotations


def string_literal(value: object) -> str:
    """The value's text as an SQL string literal: in single quotes, a quote inside written twice."""
    return "'" + str(value).replace("'", "''") + "'"
