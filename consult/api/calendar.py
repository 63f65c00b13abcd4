"""The State Council's yearly holiday notice through the API, for administrators: preview what a pasted
notice sets and which open due dates it moves, then apply it (calendar overrides, recomputed due dates and
timeline entries), through the same services as the calendar page (consult.tracking.holiday_notices).

Applying is safe to send twice: the same notice again changes nothing (and an ``Idempotency-Key`` replays
the first answer). Applying needs the ``digest`` of the preview, so only a text that was previewed is applied.
"""

from datetime import date
from typing import Literal

from flask import url_for
from pydantic import BaseModel, ConfigDict, Field

from consult.accounts.models import ADMIN
from consult.api import bp
from consult.api.common import answer
from consult.api.fields import Day, Url, text, whole_number
from consult.api.idempotency import idempotent
from consult.api.openapi import operation
from consult.api.schemas import Answer
from consult.api.staff import api_user
from consult.api.tokens import token_required
from consult.api.validation import json_body
from consult.tracking import services
from consult.tracking.holiday_notices import PREVIEW_MOVES, read_notice
from consult.tracking.labels import HOLIDAY_LABELS
from consult.tracking.models import Submission
from consult.workdays import DayInfo

NOTICE_MAX = 20000  # a notice is about 1,500 characters
DIGEST_PATTERN = "^[0-9a-f]{64}$"
NoticeBody = text(NOTICE_MAX, required=True)


class NoticeText(BaseModel):
    """The pasted text of 国务院办公厅关于YYYY年部分节假日安排的通知."""

    model_config = ConfigDict(strict=True, extra="forbid")

    text: NoticeBody = Field(description="The notice as published, title included.")
    year: whole_number(1, 9998) | None = Field(None, description="Needed only when the text has no title.")


class NoticeApply(NoticeText):
    digest: str = Field(pattern=DIGEST_PATTERN, description="The `digest` of the preview of this same text.")


class CalendarDay(Answer):
    is_workday: bool
    source: Literal["override", "notice", "calendar", "estimate"] = Field(
        description="Who says so: an admin's override, an imported notice, the published calendar, or the "
                    "estimate from the holidays fixed by law (预估).")
    holiday: str | None = Field(description="The holiday's name, or an override's note.")
    estimated: bool


class PlannedDay(Answer):
    date: Day
    is_workday: bool = Field(description="false: a day off; true: a make-up working day (调休上班).")
    holiday: str
    holiday_label: str = Field(description="The holiday's name in the language asked for.")
    now: CalendarDay = Field(description="What the calendar says about the date today.")
    changes: bool = Field(description="Whether applying the notice changes this date.")


class UnreadLine(Answer):
    line: int = Field(description="1-based line of the text sent.")
    text: str
    reason: str = Field(description="Why it could not be read (it is never guessed).")


class MovedDueDate(Answer):
    submission_id: int
    tracking_no: str
    old_due_on: Day | None = Field(description="null in the answer to applying: the date has already moved.")
    new_due_on: Day
    api_url: Url


class NoticePreview(Answer):
    year: int
    title: str | None
    days: list[PlannedDay] = Field(description="The days off and make-up working days the notice sets, by date.")
    dropped: list[Day] = Field(description="Days an earlier import of this year set that this notice no longer "
                                           "does.")
    unread: list[UnreadLine] = Field(description="Lines about days that could not be read: applying is refused "
                                                 "until there are none.")
    moved_count: int = Field(description="Open submissions whose due date would move.")
    moved: list[MovedDueDate] = Field(description=f"The first {PREVIEW_MOVES} of them, by due date.")
    no_longer_estimated: int = Field(description="Open submissions whose due date would stop being an estimate.")
    already_applied: bool = Field(description="The calendar already says what the notice says.")
    digest: str = Field(description="Send it back to apply this same text.")


class NoticeApplied(Answer):
    year: int
    moved_count: int = Field(description="Open submissions whose due date moved (each with a timeline entry); "
                                         "0 when the notice was already applied.")
    moved: list[MovedDueDate] = Field(description=f"The first {PREVIEW_MOVES} of them.")
    calendar_url: Url


def _calendar_day(info: DayInfo) -> CalendarDay:
    return CalendarDay(is_workday=info.is_workday, source=info.source, holiday=info.name, estimated=info.estimated)


def _moved(submission: Submission, old: date | None, new: date) -> MovedDueDate:
    return MovedDueDate(submission_id=submission.id, tracking_no=submission.tracking_no, old_due_on=old,
                        new_due_on=new,
                        api_url=url_for("api.office_submission", submission_id=submission.id, _external=True))


@bp.post("/admin/calendar/notice/preview")
@operation("previewHolidayNotice", "Preview a State Council holiday notice (部分节假日安排的通知)", tag="admin",
           responses={200: NoticePreview}, body=NoticeText, auth=True,
           description="Reads the pasted notice line by line into days off and make-up working days, shows the "
                       "lines it cannot read, and says which open submissions' due dates would move. Writes "
                       "nothing. A text without holiday dates, or whose title names another year than `year`, "
                       "answers 409.")
@token_required(ADMIN)
def preview_holiday_notice():
    """What applying the notice would do."""
    values = json_body(NoticeText)
    preview = services.preview_notice(values.text, values.year, api_user())
    return answer(NoticePreview(
        year=preview.year, title=preview.title,
        days=[PlannedDay(date=day.day, is_workday=day.is_workday, holiday=day.holiday,
                         holiday_label=str(HOLIDAY_LABELS.get(day.holiday, day.holiday)), now=_calendar_day(day.now),
                         changes=day.changes) for day in preview.days],
        dropped=preview.dropped,
        unread=[UnreadLine(line=line.line, text=line.text, reason=str(line.reason)) for line in preview.unread],
        moved_count=preview.moved_count,
        moved=[_moved(move.submission, move.old, move.new) for move in preview.moved],
        no_longer_estimated=preview.no_longer_estimated, already_applied=preview.already_applied,
        digest=preview.digest,
    ))


@bp.post("/admin/calendar/notice")
@operation("applyHolidayNotice", "Apply a previewed State Council holiday notice to the calendar", tag="admin",
           responses={200: NoticeApplied}, body=NoticeApply, auth=True, idempotent=True,
           description="Sets the notice's days as calendar overrides, ends the estimate for its year, recomputes "
                       "the due dates of open submissions and records each move on its timeline. Applying the "
                       "same notice again changes nothing. A text with lines that could not be read, or not the "
                       "one previewed (`digest`), answers 409.")
@token_required(ADMIN)
@idempotent
def apply_holiday_notice():
    """Apply the notice the client previewed."""
    values = json_body(NoticeApply)
    moved = services.apply_notice(values.text, values.year, api_user(), values.digest)
    notice_year = read_notice(values.text, values.year).year
    return answer(NoticeApplied(year=notice_year, moved_count=len(moved),
                                moved=[_moved(s, None, s.due_on) for s in moved[:PREVIEW_MOVES]],
                                calendar_url=url_for("tracking.calendar", _external=True)))
