"""Rows a worker keeps for the intake (consult.kept_rows): what a request gets, and when it is read again."""

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from consult import kept_rows
from consult.database import Changed
from consult.domain import DomainError
from consult.extensions import db
from consult.mailbox import services as mailbox_services
from consult.mailbox.models import Mailbox
from tests.mailbox_support import PNG, file_letter, letters, upload
from tests.sql_support import statements_during


def _statements_during(fn) -> list[str]:
    return [word for word, _ in statements_during(fn)]


def _fresh_session() -> None:
    """Commit and empty the session, as a new request starts."""
    db.session.commit()
    db.session.expunge_all()


def test_the_mailbox_to_write_to_has_the_columns_the_intake_reads_and_loads_the_others_when_read(boxes):
    policy_id = boxes.policy.id
    _fresh_session()
    mailbox = mailbox_services.mailbox_to_write_to(policy_id)
    assert (mailbox.active, mailbox.categories, mailbox.window_workdays) == (True, ["enquiry", "suggestion"], 10)
    assert mailbox.department.name == "县司法局"
    assert _statements_during(lambda: mailbox.description) == ["SELECT"]  # not kept: loaded when read
    assert mailbox_services.mailbox_to_write_to(10_000) is None


def test_a_mailbox_is_given_without_a_query_until_it_changes_in_this_worker(boxes):
    county_id = boxes.county.id
    _fresh_session()
    mailbox_services.mailbox_to_write_to(county_id)
    _fresh_session()
    assert _statements_during(lambda: mailbox_services.mailbox_to_write_to(county_id)) == []
    db.session.get(Mailbox, county_id).window_workdays = 20  # a change through this worker's ORM
    _fresh_session()
    again = []
    assert _statements_during(lambda: again.append(mailbox_services.mailbox_to_write_to(county_id))) == [
        "SELECT"]
    assert again[0].window_workdays == 20


def test_a_closed_mailbox_is_not_kept(boxes):
    boxes.county.active = False
    county_id = boxes.county.id
    _fresh_session()
    for _ in range(2):
        ran = []
        assert _statements_during(lambda: ran.append(mailbox_services.mailbox_to_write_to(county_id))) == [
            "SELECT"]
        assert ran[0].active is False
        _fresh_session()


def test_a_row_that_changes_at_every_write_ends_in_an_error_not_a_loop(boxes):
    county_id = boxes.county.id
    _fresh_session()
    mailbox = mailbox_services.mailbox_to_write_to(county_id)
    checks = []

    def write(_condition):
        raise Changed()

    with pytest.raises(RuntimeError, match="changed at every one"):
        mailbox_services._KEPT_MAILBOXES.written(mailbox, write, lambda: checks.append(1))
    assert len(checks) == kept_rows.ATTEMPTS


def test_a_letter_with_files_is_checked_against_the_mailbox_as_it_is_not_as_kept(boxes):
    """Its files are saved before its write, which therefore takes no condition: the mailbox is read first. Here
    it was closed by a statement this worker's ORM did not see (as by another worker), so the kept row still
    says open."""
    county_id = boxes.county.id
    _fresh_session()
    mailbox_services.mailbox_to_write_to(county_id)
    db.session.execute(sa.update(Mailbox).where(Mailbox.id == county_id).values(active=False))
    _fresh_session()
    mailbox = mailbox_services.mailbox_to_write_to(county_id)
    assert mailbox.active  # as kept
    with pytest.raises(DomainError, match="no longer accepts"):
        file_letter(mailbox, files=[FileStorage(*upload("photo.png", PNG))])
    db.session.rollback()
    assert letters() == []
