"""Importing the State Council's holiday notice: the preview changes nothing, applying sets the days,
ends the estimate for that year and moves open due dates (once: applying again changes nothing)."""

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import actions
from consult.tracking.deadlines import explain_due, set_calendar_override
from consult.tracking.holiday_notices import apply_notice, notice_digest, preview_notice
from consult.workdays import CalendarOverride, HolidayNotice, day_kind, load_overrides
from tests.tracking_support import events, file_submission, local

NOTICE_2027 = (Path(__file__).parent / "data" / "holiday_notice_2027_example.txt").read_text(encoding="utf-8")


def apply(text: str, actor, year: int | None = None):
    digest = notice_digest(text, year or 2027)
    return apply_notice(text, year, actor, digest)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def spring_letter(world):
    # Received Monday 1 February 2027; 15 working days. Estimated: 5–8 February off by law → due 24 February.
    # The notice: 5–12 February off, Saturday 20 February a working day → due 1 March.
    return file_submission(world, received_at=local(2027, 2, 1)).submission


def test_before_any_notice_2027_is_an_estimate_that_skips_the_spring_festival(world):
    letter = spring_letter(world)
    assert (letter.due_on, letter.estimated_due) == (date(2027, 2, 24), True)
    skipped = {info.day: info for info in explain_due(letter).skipped}
    assert skipped[date(2027, 2, 5)].name == "Spring Festival" and skipped[date(2027, 2, 5)].estimated


def test_the_preview_shows_days_and_moves_and_writes_nothing(world):
    letter = spring_letter(world)
    inside_the_year = file_submission(world, received_at=local(2027, 6, 1)).submission
    preview = preview_notice(NOTICE_2027, None, world.admin)
    assert preview.year == 2027 and preview.title == "国务院办公厅关于2027年部分节假日安排的通知"
    assert preview.unread == [] and len(preview.days) == 33
    eve = next(day for day in preview.days if day.day == date(2027, 2, 5))
    assert (eve.is_workday, eve.holiday, eve.now.source, eve.now.name) == (
        False, "Spring Festival", "estimate", "Spring Festival")
    makeup = next(day for day in preview.days if day.day == date(2027, 2, 20))
    assert (makeup.is_workday, makeup.now.is_workday, makeup.changes) == (True, False, True)
    moved = [(m.submission.id, m.old, m.new) for m in preview.moved]
    assert moved == [(letter.id, date(2027, 2, 24), date(2027, 3, 1))]
    assert preview.moved_count == 1 and preview.no_longer_estimated == 2
    assert not preview.already_applied
    db.session.commit()
    assert count(CalendarOverride) == count(HolidayNotice) == 0
    assert (letter.due_on, letter.estimated_due, inside_the_year.estimated_due) == (date(2027, 2, 24), True, True)


def test_applying_sets_the_days_ends_the_estimate_and_moves_due_dates_once(world):
    letter = spring_letter(world)
    moved = apply(NOTICE_2027, world.admin)
    db.session.commit()
    assert moved == [letter]
    assert (letter.due_on, letter.estimated_due) == (date(2027, 3, 1), False)
    event = events(letter)[-1]
    assert event.action == "due_date_recomputed" and "February 24, 2027" in event.public_note and "March 1, 2027" in event.public_note
    assert count(CalendarOverride) == 33
    notice = db.session.scalar(sa.select(HolidayNotice))
    assert (notice.year, notice.applied_by_id) == (2027, world.admin.id)

    overrides = load_overrides(db.session)
    assert overrides.notice_years == {2027}
    makeup = day_kind(date(2027, 2, 20), overrides)
    assert (makeup.is_workday, makeup.reason, makeup.name, makeup.source) == (
        True, "makeup_workday", "Spring Festival", "notice")
    plain = day_kind(date(2027, 3, 2), overrides)
    assert (plain.is_workday, plain.source, plain.estimated) == (True, "notice", False)
    explanation = explain_due(letter)
    assert not explanation.estimated
    assert [info.day for info in explanation.makeup_days] == [date(2027, 2, 20)]

    # Applying the same notice again: the same rows, no due date moves, no new timeline entry.
    before = len(events(letter))
    assert preview_notice(NOTICE_2027, 2027, world.admin).already_applied
    assert apply(NOTICE_2027, world.admin, 2027) == []
    db.session.commit()
    assert count(CalendarOverride) == 33 and count(HolidayNotice) == 1 and len(events(letter)) == before


def test_a_corrected_notice_replaces_the_days_of_the_earlier_one(world):
    letter = spring_letter(world)
    apply(NOTICE_2027, world.admin)
    corrected = NOTICE_2027.replace("2月20日（周六）上班。", "")
    preview = preview_notice(corrected, None, world.admin)
    assert preview.dropped == [date(2027, 2, 20)]
    assert [(m.old, m.new) for m in preview.moved] == [(date(2027, 3, 1), date(2027, 3, 2))]
    apply(corrected, world.admin)
    db.session.commit()
    assert letter.due_on == date(2027, 3, 2)
    assert db.session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == date(2027, 2, 20))) is None
    assert not day_kind(date(2027, 2, 20), load_overrides(db.session)).is_workday


def test_a_date_set_by_hand_afterwards_is_the_admins_own(world):
    apply(NOTICE_2027, world.admin)
    set_calendar_override(date(2027, 2, 20), False, "Local decision", actor=world.admin)
    info = day_kind(date(2027, 2, 20), load_overrides(db.session))
    assert (info.source, info.reason, info.name) == ("override", "override_holiday", "Local decision")


def test_a_notice_with_unreadable_lines_is_not_applied(world):
    letter = spring_letter(world)
    broken = NOTICE_2027.replace("共8天", "共9天")
    preview = preview_notice(broken, None, world.admin)
    assert [line.line for line in preview.unread] == [7]
    assert not any(day.holiday == "Spring Festival" for day in preview.days)
    with pytest.raises(DomainError, match="could not be read"):
        apply(broken, world.admin)
    db.session.rollback()
    assert count(CalendarOverride) == count(HolidayNotice) == 0 and letter.due_on == date(2027, 2, 24)


def test_only_the_previewed_text_is_applied(world):
    with pytest.raises(DomainError, match="changed since the preview"):
        apply_notice(NOTICE_2027, None, world.admin, notice_digest(NOTICE_2027.replace("共3天", "共3天 "), 2027))
    with pytest.raises(DomainError, match="changed since the preview"):
        apply_notice(NOTICE_2027, None, world.admin, "")
    db.session.rollback()
    assert count(HolidayNotice) == 0


@pytest.mark.parametrize(("text", "year", "message"), [
    ("", 2027, "paste"),
    ("一、元旦：1月1日（周五）放假1天。", None, "Give the year"),
    (NOTICE_2027, 2028, "speaks of 2027"),
    ("一、元旦：1月1日放假1天。", 1949, "no holiday notice"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n各省、自治区、直辖市人民政府：", None, "No holiday dates"),
])
def test_unusable_texts_are_refused_with_a_reason(world, text, year, message):
    with pytest.raises(DomainError, match=message):
        preview_notice(text, year, world.admin)


def test_only_admins_import_notices(world):
    for actor in (world.officer, world.reviewer, None):
        with pytest.raises(DomainError) as refused:
            preview_notice(NOTICE_2027, None, actor)
        assert refused.value.status == 403
        with pytest.raises(DomainError):
            apply(NOTICE_2027, actor)
    assert count(HolidayNotice) == 0


def test_closed_submissions_keep_their_due_dates(world):
    letter = spring_letter(world)
    actions.dismiss_submission(letter, actor=world.officer, reason="重复")
    assert preview_notice(NOTICE_2027, None, world.admin).moved_count == 0
    apply(NOTICE_2027, world.admin)
    assert letter.due_on == date(2027, 2, 24)
