"""Publishing the feedback report answers every comment still open: its disposition and reason are its
answer (status, timeline, mail), a comment answered by a group reply keeps that answer, statistics count
the report's date, and the citizen sees the disposition on the status page and in the API."""

import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.drafts_support import close_now, get, make_draft, publish_report

from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import comments, publication, report
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.search.documents import answered_scope_token
from consult.search.similar import similar_records, similarity_query
from consult.stats.services import compute_stats
from consult.tracking import services as tracking
from consult.localtime import local_date
from consult.tracking.models import Submission, TimelineEvent

pytestmark = pytest.mark.usefixtures("request_ctx")
_tokens = itertools.count(1)


def _comment(draft_id, body, *, anchor=None, name="王五", email="", phone=""):
    receipt = comments.submit_comment(get(Draft, draft_id), body=body, form_token=f"report-answers-token-{next(_tokens):06d}",
                                      article_anchor=anchor, name=name, email=email, phone=phone, locale="zh_CN")
    db.session.commit()
    return receipt.comment.id, receipt.query_code


def _ready_report(world, *, n_plain=0):
    """A closed draft with a comment by mail (adopted), one with only a phone number (not adopted), one answered
    earlier by a reply to its group (noted) and ``n_plain`` more; the report is waiting for approval."""
    draft_id = make_draft(world)
    by_mail = _comment(draft_id, "建议第三条的专区延伸到村（社区）。", anchor="art-3", email="wangwu@example.org")
    no_contact = _comment(draft_id, "第四条的开放日次数太少，建议每季度一次。", anchor="art-4", name="李四",
                          phone="13912345678")  # no address to mail
    replied = _comment(draft_id, "整体支持。", email="zhaoliu@example.org", name="赵六")
    more = [_comment(draft_id, f"其他意见{i}。", email=f"c{i}@example.org")[0] for i in range(n_plain)]
    close_now(draft_id)
    editor, officer = db.session.merge(world.editor), db.session.merge(world.officer)
    reply = tracking.create_reply(officer, [get(Comment, replied[0]).submission], "感谢您的支持。")
    tracking.submit_reply(reply, actor=officer)
    tracking.approve_reply(reply, reviewer=db.session.merge(world.reviewer))
    draft = get(Draft, draft_id)
    report.set_disposition(draft, [get(Comment, by_mail[0])], "adopted", "已在第三条中增加村级专区。", editor)
    report.set_disposition(draft, [get(Comment, no_contact[0])], "not_adopted", "上级规定每年至少两次。", editor)
    report.set_disposition(draft, [get(Comment, i) for i in [replied[0], *more]], "noted", "感谢支持。", editor)
    report.submit_report(draft, editor, "共收到意见若干条。")
    db.session.commit()
    return draft_id, by_mail, no_contact, replied


def _submission(comment_id) -> Submission:
    return get(Comment, comment_id).submission


def _mails(template):
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def test_publishing_answers_each_open_comment_with_its_disposition(world, client, auth):
    draft_id, by_mail, no_contact, replied = _ready_report(world)
    earlier = _submission(replied[0])
    earlier_answer, earlier_events = earlier.answered_at, len(earlier.events)
    auth.login(world.reviewer)
    assert "The feedback report has been published." in publish_report(client, draft_id).get_data(as_text=True)
    draft = get(Draft, draft_id)
    assert draft.status == "report_published"

    answered = _submission(by_mail[0])
    assert answered.status == "answered" and answered.answered_at == draft.report_published_at
    [event] = [e for e in answered.events if e.action == "answer_by_publication"]
    assert (event.from_status, event.to_status) == ("received", "answered")
    assert event.public_note == ("Answered in the published feedback report: Adopted. "
                                 "Reason: 已在第三条中增加村级专区。")
    assert _submission(no_contact[0]).status == "answered"

    # The mail goes to the one who left an address, in their language, with the disposition, reason and links.
    [mail] = _mails("comment_answered_in_report")
    assert mail.recipient == "wangwu@example.org"
    assert "采纳情况：采纳" in mail.body_text and "理由：已在第三条中增加村级专区。" in mail.body_text
    assert f"/drafts/{draft_id}/report" in mail.body_text and f"/drafts/{draft_id}#art-3" in mail.body_text
    assert answered.tracking_no in mail.subject

    # The one who left only a mobile number is texted that the answer is there (no query code in it).
    [text] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "sms",
                                                                OutboxMessage.template == "answered")).all()
    no_contact_no = _submission(no_contact[0]).tracking_no
    assert text.recipient == "13912345678" and text.template == "answered" and no_contact_no in text.body_text
    assert no_contact[1] not in text.body_text

    # The comment answered by its group's reply keeps that answer: no second answer, no second mail.
    earlier = _submission(replied[0])
    assert earlier.answered_at == earlier_answer and len(earlier.events) == earlier_events
    assert [m.recipient for m in _mails("submission_answer")] == ["zhaoliu@example.org"]


def test_the_citizen_sees_the_disposition_and_reason(world, client, auth):
    draft_id, by_mail, _no_contact, replied = _ready_report(world)
    report.approve_report(get(Draft, draft_id), db.session.merge(world.reviewer))
    db.session.commit()
    tracking_no = _submission(by_mail[0]).tracking_no
    page = client.post("/track", data={"tracking_no": tracking_no, "code": by_mail[1]}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Adopted" in text and "已在第三条中增加村级专区。" in text and f"/drafts/{draft_id}/report" in text
    assert f"/drafts/{draft_id}#art-3" in text, text[text.find("kind-answer-heading"):][:1500]

    api = client.get(f"/api/v1/submissions/{tracking_no}", headers={"X-Query-Code": by_mail[1]}).get_json()
    assert api["status"] == "answered"
    assert "Reason: 已在第三条中增加村级专区。" in api["answer"]["body"] and "Adopted" in api["answer"]["body"]
    assert any(step["action"] == "answer_by_publication" for step in api["timeline"])

    # A comment answered by a reply shows that reply, and the report's disposition beside it.
    other = client.post("/track", data={"tracking_no": _submission(replied[0]).tracking_no, "code": replied[1]},
                        follow_redirects=True).get_data(as_text=True)
    assert "感谢您的支持。" in other and "感谢支持。" in other


def test_statistics_count_the_reports_date_on_time_or_late(world):
    on_time_id, *_ = _ready_report(world)
    late_id, *_ = _ready_report(world)
    reviewer = db.session.merge(world.reviewer)
    due = _submission(get_comment_ids(on_time_id)[0]).due_on
    report.approve_report(get(Draft, on_time_id), reviewer, now=get(Draft, on_time_id).closes_at + timedelta(days=1))
    report.approve_report(get(Draft, late_id), reviewer, now=get(Draft, late_id).closes_at + timedelta(days=60))
    db.session.commit()
    for draft_id, on_time in ((on_time_id, True), (late_id, False)):
        published = get(Draft, draft_id).report_published_at
        for comment_id in get_comment_ids(draft_id):
            submission = _submission(comment_id)
            if submission.events[-1].action == "answer_by_publication":
                assert submission.answered_on == local_date(published)
                assert (submission.answered_on <= submission.due_on) is on_time
    assert local_date(get(Draft, late_id).report_published_at) > due
    kinds = {k["kind"]: k for k in compute_stats(months=12, today=local_date(get(Draft, late_id).report_published_at))["kinds"]}
    # 6 comments: 2 answered by the late report, 4 on time (2 by the early report, 2 by group replies).
    assert kinds["comment"]["received"] == 6 and kinds["comment"]["answered"] == 6
    assert kinds["comment"]["on_time"] == 4


def get_comment_ids(draft_id):
    return list(db.session.scalars(sa.select(Comment.id).where(Comment.draft_id == draft_id).order_by(Comment.id)))


def test_publishing_twice_answers_nobody_twice(world, client, auth):
    draft_id, by_mail, *_ = _ready_report(world)
    auth.login(world.reviewer)
    publish_report(client, draft_id)
    events = db.session.scalar(sa.select(sa.func.count(TimelineEvent.id)))
    response = client.post(f"/office/drafts/{draft_id}/report/approve", follow_redirects=True)
    assert "There is no report waiting for approval." in response.get_data(as_text=True)
    with pytest.raises(DomainError) as error:
        report.approve_report(get(Draft, draft_id), db.session.merge(world.second_reviewer))
    assert error.value.status == 409
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(TimelineEvent.id))) == events
    assert len(_mails("comment_answered_in_report")) == 1 and len(_mails("answered")) == 1


@pytest.mark.parametrize("who", ["editor", "officer", "citizen", "other_reviewer"])
def test_only_a_reviewer_of_the_lead_department_publishes(world, client, auth, who):
    draft_id, by_mail, *_ = _ready_report(world)
    auth.login(getattr(world, who))
    response = client.post(f"/office/drafts/{draft_id}/report/approve")
    assert response.status_code in (403, 404) if who == "other_reviewer" else response.status_code == 403
    assert get(Draft, draft_id).status == "closed"
    assert _submission(by_mail[0]).status == "received" and _mails("comment_answered_in_report") == []


def test_publishing_is_set_based_whatever_the_number_of_comments(world, app, sql):
    """The statements sent do not grow with the number of comments (no query per comment)."""
    counts = []
    for n in (2, 40):
        draft_id, *_ = _ready_report(world, n_plain=n)
        with sql() as statements:
            answered = report.approve_report(get(Draft, draft_id), db.session.merge(world.reviewer))
            db.session.flush()
        db.session.commit()
        assert answered == n + 2
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert len(_mails("comment_answered_in_report")) == (1 + 2) + (1 + 40)


@pytest.mark.demo_data
def test_demo_data_leaves_no_comment_of_a_reported_draft_open(app):
    with app.test_request_context("/"):
        reported = db.session.scalars(sa.select(Draft.id).where(Draft.status == "report_published")).all()
        assert reported
        statuses = db.session.scalars(
            sa.select(Submission.status).join(Comment, Comment.submission_id == Submission.id)
            .where(Comment.draft_id.in_(reported))
        ).all()
        assert statuses and set(statuses) <= {"answered", "closed", "dismissed"}
        answered_by_report = db.session.scalars(
            sa.select(Submission).join(Comment, Comment.submission_id == Submission.id)
            .where(Comment.draft_id.in_(reported), Submission.answered_on <= Submission.due_on)
        ).all()
        assert len(answered_by_report) >= 2  # published before the due date: on time


def test_a_number_that_asked_for_no_more_sms_is_not_texted_the_answer(world):
    from consult.notify.models import SmsOptOut

    draft_id, _by_mail, no_contact, _replied = _ready_report(world)
    db.session.add(SmsOptOut(phone="13912345678", source="reply"))
    db.session.commit()
    report.approve_report(get(Draft, draft_id), db.session.merge(world.reviewer))
    db.session.commit()
    assert _submission(no_contact[0]).status == "answered"  # answered all the same, on the status page
    assert _mails("answered") == []


def test_comments_answered_by_the_report_are_among_the_answered_records_similar_answers_look_in(world):
    draft_id, by_mail, _no_contact, _replied = _ready_report(world)
    publication.answer_open_comments(get(Draft, draft_id), db.session.merge(world.reviewer), utcnow())
    db.session.commit()
    answered = _submission(by_mail[0])
    query = similarity_query("第三条的专区能否延伸到村（社区）？")
    found = similar_records(query, answered_scope_token(answered.department_id))
    assert answered.id in [record_id for record_id, _score in found]


def test_the_report_answers_comments_without_segmenting_their_text_again(world, monkeypatch):
    """Publishing gives the answered comments their answered scope tokens and touches nothing else of their
    index rows: no text is segmented again (it doubled the cost of publishing), and each row, and each
    similar term, is what a rebuild of the index would write."""
    from consult.search import documents
    from consult.search.schema import similar_terms

    draft_id, by_mail, no_contact, replied = _ready_report(world, n_plain=3)
    segmented = []
    real_tokens = documents.search_tokens
    monkeypatch.setattr(documents, "search_tokens", lambda text: segmented.append(text) or real_tokens(text))
    publication.answer_open_comments(get(Draft, draft_id), db.session.merge(world.reviewer), utcnow())
    db.session.flush()
    assert segmented == []
    ids = db.session.scalars(sa.select(Comment.submission_id).where(Comment.draft_id == draft_id)).all()

    def index_rows_of(ids):
        if db.engine.dialect.name == "postgresql":
            return dict(db.session.execute(sa.text("SELECT record_id, CAST(document AS text) FROM search_submissions "
                                                   "WHERE record_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"ids": ids}).all())
        return {row[0]: tuple(row[1:]) for row in db.session.execute(sa.text(
            "SELECT rowid, title, body, contact, scope FROM search_submissions WHERE rowid IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": ids})}

    def similar_terms_of(ids):
        return sorted(tuple(row) for row in db.session.execute(
            sa.select(similar_terms).where(similar_terms.c.record_id.in_(ids))))

    published, published_terms = index_rows_of(ids), similar_terms_of(ids)
    assert published_terms  # the answered comments' words, where the similar answers look
    indexed = documents.indexed_for(Submission)
    db.session.expire_all()
    documents.index_rows(db.session.connection(), "submissions",
                         [(s.id, indexed.fields(s)) for s in db.session.scalars(sa.select(Submission)
                                                                                .where(Submission.id.in_(ids)))])
    assert index_rows_of(ids) == published
    assert similar_terms_of(ids) == published_terms
    answered = _submission(by_mail[0])
    assert answered_scope_token(answered.department_id) in str(published[answered.id])
