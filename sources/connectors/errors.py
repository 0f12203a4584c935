"""Errors a connector raises for a delivery it cannot take at all."""

from __future__ import annotations


class DeliveryError(ValueError):
    """A whole delivery breaks its contract; nothing of it is landed, nothing landed before changes."""

    def __init__(self, source: str, delivery: str, problem: str, row: int | None = None) -> None:
        where = f"{source} delivery {delivery}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {problem}")
        self.source = source
        self.delivery = delivery
        self.row = row
        self.problem = problem

    def __reduce__(self) -> tuple[type[DeliveryError], tuple[str, str, str, int | None]]:
        # rebuilt from its parts when it crosses from a worker process (the message alone does not fit __init__)
        return DeliveryError, (self.source, self.delivery, self.problem, self.row)
