"""A citizen who leaves only a mobile number: told of each step of their letter by SMS (through a local fake
of the provider's API), then signs in with the number and a code and finds the letter and its answer."""

import re

from tests.browser.support import assert_accessible, fact, submit

MAYOR_MAILBOX = "县长信箱"
PHONE = "13700137000"


def texts_to(gateway, phone: str) -> list[dict]:
    return [message for message in gateway.accepted if message["phone"] == f"+86{phone}"]


def answer_in_the_office(live_server, tracking_no: str) -> None:
    """The department answers (officer drafts, reviewer approves) through the services the office pages use."""
    import sqlalchemy as sa

    from consult.accounts.models import User
    from consult.extensions import db
    from consult.tracking import actions, replies
    from consult.tracking.models import Submission

    with live_server.app.app_context():
        submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == tracking_no))
        officer = db.session.scalar(sa.select(User).where(User.email == "officer.xzfb@consult.localhost"))
        reviewer = db.session.scalar(sa.select(User).where(User.email == "reviewer.xzfb@consult.localhost"))
        actions.assign_submission(submission, officer, actor=officer)
        reply = replies.create_reply(officer, [submission], "您好！东门路灯已于今日修复，感谢您的反映。")
        replies.submit_reply(reply, actor=officer)
        replies.approve_reply(reply, reviewer=reviewer)
        db.session.commit()


def test_a_phone_only_citizen_is_texted_each_step_and_signs_in_by_phone(new_page, live_server, sms_gateway):
    zh = live_server.zh
    citizen = new_page()
    citizen.goto("/mailboxes")
    citizen.get_by_role("link", name=MAYOR_MAILBOX).first.click()
    citizen.get_by_role("link", name=re.compile(zh("Write a letter"))).first.click()
    citizen.locator("#category").select_option("complaint")
    citizen.locator("#subject").fill("东门路灯不亮（短信）")
    citizen.locator("#body").fill("小区东门的路灯已经坏了两周，晚上出行不便。")
    citizen.locator("#name").fill("赵敏")
    citizen.locator("#phone").fill(PHONE)
    submit(citizen, zh("Send the letter"))
    tracking_no = fact(citizen, zh("Tracking number"))

    live_server.deliver_mail()
    [receipt] = texts_to(sms_gateway, PHONE)
    assert receipt["params"][0] == tracking_no

    answer_in_the_office(live_server, tracking_no)
    live_server.deliver_mail()
    answered = texts_to(sms_gateway, PHONE)[-1]
    assert answered["params"][0] == tracking_no
    short_link = answered["params"][-1]
    assert short_link.endswith(f"/t/{tracking_no}")

    # The short link leads a stranger to the lookup form; signing in with the phone opens the answer.
    citizen.goto(short_link)
    assert citizen.get_by_role("heading", level=1).inner_text() == zh("Track a submission")
    citizen.goto("/account/login")
    citizen.get_by_role("link", name=zh("Log in with your mobile number and a code")).click()
    citizen.locator("#phone").fill(PHONE)
    submit(citizen, zh("Send the code"))
    live_server.deliver_mail()
    code = texts_to(sms_gateway, PHONE)[-1]["params"][0]
    assert re.fullmatch(r"\d{6}", code)
    assert_accessible(citizen)
    citizen.locator("#code").fill(code)
    submit(citizen, zh("Log in"))

    assert citizen.get_by_role("heading", level=1).inner_text() == zh("My submissions")
    citizen.get_by_role("link", name=tracking_no).click()
    assert "东门路灯已于今日修复" in citizen.locator("main").inner_text()
