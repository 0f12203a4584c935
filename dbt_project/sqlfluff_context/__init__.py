"""What sqlfluff's Jinja templater lacks of dbt, for linting (`.sqlfluff`: library_path).

sqlfluff renders the models without dbt, so `adapter.dispatch` and dbt's cross-database macros
are stood in for here, rendering the DuckDB form: the dialect .sqlfluff lints. dbt itself never
reads this module.
"""

from jinja2 import pass_context


class _Adapter:
    """adapter.dispatch('x') finds duckdb__x, else default__x, among the project's macros."""

    def dispatch(self, name: str, macro_namespace: str | None = None):
        @pass_context
        def dispatched(context, *args, **kwargs):
            for candidate in (f"duckdb__{name}", f"default__{name}"):
                if (macro := context.get(candidate)) is not None:
                    return macro(*args, **kwargs)
            raise KeyError(f"no duckdb__{name} or default__{name} macro")

        return dispatched


class _Dbt:
    """dbt's cross-database macros as dbt-duckdb renders them."""

    def safe_cast(self, field: str, type: str) -> str:
        return f"try_cast({field} as {type})"

    def cast(self, field: str, type: str) -> str:
        return f"cast({field} as {type})"

    def datediff(self, first_date: str, second_date: str, datepart: str) -> str:
        return f"date_diff('{datepart}', {first_date}, {second_date})"


class _Column:
    @staticmethod
    def translate_type(dtype: str) -> str:
        return dtype


class _Api:
    Column = _Column


adapter = _Adapter()
dbt = _Dbt()
api = _Api()
