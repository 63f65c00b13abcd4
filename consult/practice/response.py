"""The 响应率's clock: how long after receipt staff first acted on a submission, counted in minutes that
fall on working days (a letter received on Friday evening and assigned on Monday morning took only the
Friday evening and the Monday morning)."""

from datetime import datetime, time, timedelta

from consult.localtime import to_local, zone
from consult.workdays import Overrides, is_workday

# The actions that count as the department acting on a submission (assigning it, transferring it, asking
# for more information, answering, dismissing). Citizens and the system do not respond for a department.
RESPONSE_ACTIONS = frozenset({"assign", "transfer", "request_info", "answer", "dismiss"})


def working_minutes(start: datetime, end: datetime, overrides: Overrides | None = None) -> int:
    """Whole minutes between ``start`` and ``end`` that fall on local working days (0 if end <= start)."""
    start_local, end_local = to_local(start), to_local(end)
    if end_local <= start_local:
        return 0
    total = timedelta()
    day = start_local.date()
    while day <= end_local.date():
        if is_workday(day, overrides):
            day_start = datetime.combine(day, time(), tzinfo=zone())
            day_end = day_start + timedelta(days=1)
            total += max(min(day_end, end_local) - max(day_start, start_local), timedelta())
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


def stamp_response(submission, action: str, actor_role: str, now: datetime, overrides: Overrides | None) -> None:
    """Record the first response by staff (once); called by the state machine on every transition."""
    if submission.responded_at is not None or action not in RESPONSE_ACTIONS:
        return
    if actor_role in ("citizen", "system"):
        return
    submission.responded_at = now
    submission.response_minutes = working_minutes(submission.received_at, now, overrides)
