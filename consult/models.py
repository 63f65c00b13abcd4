"""Import every model so the metadata (and Alembic) sees the whole schema."""

from consult.accounts.models import Department, User  # noqa: F401
from consult.notify.models import OutboxMessage  # noqa: F401
from consult.workdays import CalendarOverride  # noqa: F401
