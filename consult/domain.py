"""The error services raise when a rule forbids an action; views show its message to the user."""


class DomainError(Exception):
    """A business rule said no. ``message`` is user-facing (a lazy translated string).

    ``errors`` maps each field at fault to its messages when a service reports several problems at once
    (see :class:`FieldErrors`); ``message`` and ``field`` are then the first of them.
    """

    def __init__(self, message, *, field: str | None = None, status: int = 400,
                 errors: dict[str, list] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.errors = errors if errors is not None else ({field: [message]} if field else {})

    def __str__(self) -> str:
        return str(self.message)


class FieldErrors:
    """Collects every problem of what a person typed, so a service reports them all in one DomainError."""

    def __init__(self) -> None:
        self.errors: dict[str, list] = {}

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, status: int = 400) -> None:
        """Raise one DomainError carrying every collected message (its ``field`` is the first one at fault)."""
        if self.errors:
            field, messages = next(iter(self.errors.items()))
            raise DomainError(messages[0], field=field, status=status, errors=dict(self.errors))
