"""notes in the system's words are kept as a message id and its values, put into words when shown

Timeline notes and dismissal reasons written by the system were stored as text in the site's language at
the time, with ISO dates inside. They get a JSON column beside the text, ``{"msg": …, "args": …}`` (see
consult/tracking/notes.py). Existing rows whose text is one of those messages, in Chinese or English, are
read back into a message (dates become ``{"date": "YYYY-MM-DD"}``); their text is left as it was, and text
that people typed stays text. An assignment note that is only the assignee's name becomes "Handed to … to
handle.". The patterns below are the wordings as they were written, frozen here: they never change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00

"""
import json
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

DATES = {"day", "old", "new"}
NUMBERS = {"days", "id"}
RATINGS = {"满意": "Satisfied", "基本满意": "Basically satisfied", "不满意": "Not satisfied"}  # closing, reopening
RATINGS.update({english: english for english in list(RATINGS.values())})
CALENDAR_NOTES = {  # the inner note of a recomputed due date: English id -> its Chinese wording then
    "%(day)s: %(note)s": "%(day)s：%(note)s",
    "%(day)s: %(note)s (withdrawn)": "%(day)s：%(note)s（已撤回）",
}
# (action, note column) -> {English message id: its Chinese wording when the rows were written}
MESSAGES = {
    ("transfer", "public_note"): {"Transferred to %(department)s.": "已转办至%(department)s。"},
    ("mailbox_moved", "public_note"): {
        "Moved from the mailbox “%(source)s” to “%(target)s”.": "已从信箱“%(source)s”移送至信箱“%(target)s”。",
    },
    ("due_date_recomputed", "public_note"): {
        "The working-day calendar changed (%(note)s): the due date moved from %(old)s to %(new)s.":
            "工作日日历已调整（%(note)s），答复期限由%(old)s调整为%(new)s。",
    },
    ("extension_requested", "internal_note"): {
        "%(days)s working days requested: %(reason)s": "申请延期 %(days)s 个工作日：%(reason)s",
    },
    ("extension_approved", "public_note"): {
        "The time limit was extended by %(days)s working days (from %(old)s to %(new)s): %(reason)s":
            "答复期限延长%(days)s个工作日（由%(old)s延至%(new)s）：%(reason)s",
    },
    ("clock_restarted", "public_note"): {
        "The information arrived on %(day)s; the due date moved from %(old)s to %(new)s.":
            "补充材料已于%(day)s收到，答复期限由%(old)s调整为%(new)s。",
    },
    ("close", "public_note"): {
        "Closed automatically: the answer was not rated within %(days)s working days.":
            "自动办结：答复后 %(days)s 个工作日内未评价。",
    },
    ("answer", "internal_note"): {"Reply #%(id)s": "答复 #%(id)s"},
    ("disclosure_paused", "public_note"): {
        "A third party has been asked for its opinion on %(day)s; the time this takes is not counted towards the "
        "time limit.": "已于 %(day)s 征求第三方意见，所需时间不计入答复期限。",
    },
    ("disclosure_resumed", "public_note"): {
        "The third party's opinion has arrived (%(days)s working days not counted); the due date moved from "
        "%(old)s to %(new)s.": "已收到第三方意见（%(days)s 个工作日不计入期限），答复期限由 %(old)s 顺延至 %(new)s。",
    },
    ("disclosure_outcome", "internal_note"): {
        "Outcome proposed for review: %(outcome)s": "拟定办理结果（待审核）：%(outcome)s",
    },
    ("dismiss", "public_note"): {
        "The draft was withdrawn, so comments on it will not be answered. Reason: %(reason)s":
            "该草案已撤回，对其提出的意见将不再答复。理由：%(reason)s",
        "The clarification asked for did not arrive by %(day)s, so the request is no longer processed "
        "(政府信息公开条例 Art. 30). You may send a new request.":
            "申请人未在 %(day)s 前补正，该申请不再处理（《政府信息公开条例》第三十条）。您可以重新提出申请。",
    },
}
HANDED_TO = "Handed to %(name)s to handle."
ACTIONS = sorted({action for action, _column in MESSAGES} | {"assign", "reassign", "reopen"})

events = sa.table(
    "submission_events", sa.column("id", sa.Integer), sa.column("action", sa.String),
    sa.column("actor_role", sa.String), sa.column("public_note", sa.Text), sa.column("internal_note", sa.Text),
    sa.column("public_note_message", sa.JSON), sa.column("internal_note_message", sa.JSON),
)
submissions = sa.table(
    "submissions", sa.column("id", sa.Integer), sa.column("dismissal_reason", sa.Text),
    sa.column("dismissal_reason_message", sa.JSON),
)
users = sa.table("users", sa.column("display_name", sa.String))


def _pattern(wording: str) -> re.Pattern:
    """A wording with %(name)s placeholders as a regular expression matching the whole text."""
    parts = re.split(r"%\((\w+)\)s", wording)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else
        rf"(?P<{part}>\d{{4}}-\d{{2}}-\d{{2}})" if part in DATES else
        rf"(?P<{part}>\d+)" if part in NUMBERS else rf"(?P<{part}>.+?)"
        for i, part in enumerate(parts)
    )
    return re.compile(rf"\A{regex}\Z", re.DOTALL)


def _matchers(messages: dict) -> list[tuple[str, re.Pattern]]:
    return [(msgid, _pattern(wording)) for msgid, wordings in messages.items() for wording in (msgid, wordings)]


MATCHERS = {key: _matchers(messages) for key, messages in MESSAGES.items()}
CALENDAR_MATCHERS = _matchers(CALENDAR_NOTES)


def _message(text: str, matchers) -> dict | None:
    """The message a stored text was rendered from, or None for anything else (e.g. typed by a person)."""
    for msgid, pattern in matchers:
        found = pattern.match(text or "")
        if found:
            return {"msg": msgid, "args": {name: _value(name, value) for name, value in found.groupdict().items()}}
    return None


def _value(name: str, text: str):
    if name in DATES:
        return {"date": text}
    if name in NUMBERS:
        return int(text)
    if name == "note":  # the calendar change inside a recomputed due date
        return _message(text, CALENDAR_MATCHERS) or text
    return text


def upgrade():
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_note_message', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('internal_note_message', sa.JSON(), nullable=True))
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dismissal_reason_message', sa.JSON(), nullable=True))

    bind = op.get_bind()
    names = set(bind.scalars(sa.select(users.c.display_name)))
    rows = bind.execute(sa.select(events.c.id, events.c.action, events.c.actor_role, events.c.public_note,
                                  events.c.internal_note)
                        .where(events.c.action.in_(ACTIONS)))
    for row in rows.all():
        values = {}
        for column in ("public_note", "internal_note"):
            text = getattr(row, column)
            message = _message(text, MATCHERS.get((row.action, column), []))
            if message is None and column == "public_note" and row.actor_role == "citizen" and text in RATINGS:
                message = {"msg": RATINGS[text], "args": {}}
            if message is None and column == "internal_note" and row.action in ("assign", "reassign") and text in names:
                message = {"msg": HANDED_TO, "args": {"name": text}}
            if message is not None:
                values[f"{column}_message"] = message
        if values:
            bind.execute(sa.update(events).where(events.c.id == row.id).values(**values))

    dismissed = bind.execute(sa.select(submissions.c.id, submissions.c.dismissal_reason)
                             .where(submissions.c.dismissal_reason.is_not(None)))
    for row in dismissed.all():
        message = _message(row.dismissal_reason, MATCHERS[("dismiss", "public_note")])
        if message is not None:
            bind.execute(sa.update(submissions).where(submissions.c.id == row.id)
                         .values(dismissal_reason_message=message))


def _english(message) -> str:
    """A stored message in English with ISO dates, for the text column when going back."""
    if isinstance(message, str):
        message = json.loads(message)
    if not message:  # a JSON null: the row had no note in the system's words
        return ""
    args = {name: value["date"] if isinstance(value, dict) and "date" in value else
            _english(value) if isinstance(value, dict) else value
            for name, value in (message.get("args") or {}).items()}
    return message["msg"] % args if args else message["msg"]


def downgrade():
    bind = op.get_bind()
    for column in ("public_note", "internal_note"):
        message_column = events.c[f"{column}_message"]
        rows = bind.execute(sa.select(events.c.id, message_column)
                            .where(message_column.is_not(None), events.c[column] == "")).all()
        for row in rows:
            bind.execute(sa.update(events).where(events.c.id == row.id).values({column: _english(row[1])}))
    rows = bind.execute(sa.select(submissions.c.id, submissions.c.dismissal_reason_message)
                        .where(submissions.c.dismissal_reason_message.is_not(None),
                               submissions.c.dismissal_reason.is_(None))).all()
    for row in rows:
        bind.execute(sa.update(submissions).where(submissions.c.id == row.id)
                     .values(dismissal_reason=_english(row[1])))

    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy of these tables would have to drop
    # them while other tables' rows point at them.
    op.drop_column('submissions', 'dismissal_reason_message')
    op.drop_column('submission_events', 'internal_note_message')
    op.drop_column('submission_events', 'public_note_message')
