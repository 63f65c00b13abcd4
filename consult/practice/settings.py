"""The admin's settings of the practice rules, read with their defaults until an admin saves them."""

from consult.domain import DomainError
from consult.extensions import db
from consult.practice.models import (
    DEFAULT_FEEDBACK_REPORT_DAYS, DEFAULT_RECTIFICATION_WORKDAYS, DEFAULT_RESPONSE_HOURS, PracticeSettings,
)  # fmt: skip
from flask_babel import lazy_gettext as _l

SETTINGS_ID = 1
LIMITS = {
    "rectification_workdays": (1, 120),
    "response_hours": (1, 720),
    "feedback_report_days": (1, 365),
}


def current_settings() -> PracticeSettings:
    """The saved settings, or an unsaved row holding the defaults."""
    saved = db.session.get(PracticeSettings, SETTINGS_ID)
    if saved is not None:
        return saved
    return PracticeSettings(
        id=SETTINGS_ID,
        rectification_workdays=DEFAULT_RECTIFICATION_WORKDAYS,
        response_hours=DEFAULT_RESPONSE_HOURS,
        feedback_report_days=DEFAULT_FEEDBACK_REPORT_DAYS,
    )


def save_settings(**values: int) -> PracticeSettings:
    """Store the settings (each a whole number in its range); raises DomainError naming the field at fault."""
    settings = db.session.get(PracticeSettings, SETTINGS_ID) or current_settings()
    for name, value in values.items():
        low, high = LIMITS[name]
        if value is None or not low <= int(value) <= high:
            raise DomainError(_l("Please enter a whole number from %(low)s to %(high)s.", low=low, high=high),
                              field=name)
        setattr(settings, name, int(value))
    db.session.add(settings)
    db.session.flush()
    return settings
