"""Working-day calendar for deadlines counted in Chinese working days (DESIGN.md §3).

:mod:`.days` answers whether a date is a working day and counts working days; :mod:`.statutory` computes
the public holidays fixed by law for years nobody has published yet; :mod:`.notice` reads the State
Council's yearly holiday notice; :mod:`.models` stores the admin's corrections.
"""

from consult.workdays.days import (
    ONE_DAY,
    AdminCalendar,
    DayInfo,
    DueExplanation,
    Override,
    Overrides,
    Reason,
    Source,
    add_workdays,
    day_kind,
    explain_due,
    is_workday,
)
from consult.workdays.models import (
    CalendarChange, CalendarOverride, HolidayNotice, calendar_unchanged, current_overrides, kept_overrides,
    load_overrides,
)

__all__ = [
    "ONE_DAY", "AdminCalendar", "CalendarChange", "CalendarOverride", "calendar_unchanged", "current_overrides",
    "DayInfo", "DueExplanation", "HolidayNotice", "kept_overrides", "Override", "Overrides", "Reason", "Source",
    "add_workdays", "day_kind", "explain_due", "is_workday", "load_overrides",
]
