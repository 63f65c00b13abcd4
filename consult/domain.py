"""The error services raise when a rule forbids an action; views show its message to the user."""


class DomainError(Exception):
    """A business rule said no. ``message`` is user-facing (a lazy translated string)."""

    def __init__(self, message, *, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return str(self.message)
