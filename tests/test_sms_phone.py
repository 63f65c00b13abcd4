"""A citizen who left only a mobile number: signs in with it and a code, sees what they sent with it, and gets
a new query code when the old one is lost. Codes are hashed, short-lived, limited in tries, never repeated;
the forms cannot be used to pump SMS."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts import phone
from consult.accounts.models import PhoneCode, User
from consult.database import utcnow
from consult.extensions import db
from consult.notify.models import SMS, OutboxMessage
from consult.tracking import services
from tests.tracking_support import file_submission

MOBILE = "13912345678"


@pytest.fixture
def app_config(request):
    return {"SMS_BACKEND": "log"} | getattr(request, "param", {})


def texts(template: str | None = None) -> list[OutboxMessage]:
    db.session.commit()
    query = sa.select(OutboxMessage).where(OutboxMessage.channel == SMS).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query))


def last_code() -> str:
    return texts("verification_code")[-1].params["code"]


def age_codes(seconds: int) -> None:
    """Let time pass for the codes already sent (the resend wait, the lifetime)."""
    for row in db.session.scalars(sa.select(PhoneCode)):
        row.created_at -= timedelta(seconds=seconds)
        row.expires_at -= timedelta(seconds=seconds)
    db.session.commit()


def sign_in(client, number=MOBILE):
    assert client.post("/account/phone", data={"phone": number}).status_code == 303
    return client.post("/account/phone/code", data={"code": last_code()})


def test_a_phone_only_citizen_signs_in_and_sees_their_letter(world, client):
    letter = file_submission(world, email="", phone="139 1234 5678").submission
    answer = sign_in(client, "+86 139-1234-5678")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/my/submissions")
    page = client.get("/my/submissions").get_data(as_text=True)
    assert letter.tracking_no in page
    assert "139****5678" in page
    assert client.get(f"/track/{letter.tracking_no}").status_code == 200
    [account] = db.session.scalars(sa.select(User).where(User.phone == MOBILE))
    assert account.email is None and account.role == "citizen"


def test_the_code_is_stored_hashed_and_the_sent_text_forgets_it(world, client):
    client.post("/account/phone", data={"phone": MOBILE})
    code = last_code()
    [row] = db.session.scalars(sa.select(PhoneCode))
    assert code not in row.code_hash and len(row.code_hash) == 64
    from consult.notify import sender

    sender.drain(now=utcnow() + timedelta(minutes=1))
    [sent] = texts("verification_code")
    assert sent.status == "sent" and code not in sent.body_text and sent.params is None


def test_a_wrong_code_five_times_uses_the_code_up(world, client):
    client.post("/account/phone", data={"phone": MOBILE})
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        answer = client.post("/account/phone/code", data={"code": wrong})
        assert answer.status_code == 422 and "not correct" in answer.get_data(as_text=True)
    answer = client.post("/account/phone/code", data={"code": code})
    assert answer.status_code == 422 and "Too many wrong codes" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.phone == MOBILE)) == 0


def test_an_expired_code_no_longer_works(world, client):
    client.post("/account/phone", data={"phone": MOBILE})
    code = last_code()
    age_codes(5 * 60 + 1)
    answer = client.post("/account/phone/code", data={"code": code})
    assert answer.status_code == 422 and "no longer valid" in answer.get_data(as_text=True)


def test_a_new_code_waits_a_minute_and_is_never_the_last_one(world, client, monkeypatch):
    client.post("/account/phone", data={"phone": MOBILE})
    first = last_code()
    again = client.post("/account/phone", data={"phone": MOBILE})
    assert again.status_code == 429 and "less than a minute ago" in again.get_data(as_text=True)
    age_codes(61)
    draws = iter([int(first), int(first), 424242])
    monkeypatch.setattr(phone.secrets, "randbelow", lambda _n: next(draws))
    assert client.post("/account/phone", data={"phone": MOBILE}).status_code == 303
    assert last_code() == "424242"
    # Only the newest code works.
    assert client.post("/account/phone/code", data={"code": first}).status_code == 422


def test_one_address_cannot_pump_sms_to_many_numbers(world, client):
    sent = 0
    for n in range(phone.PER_IP_PER_HOUR + 5):
        if client.post("/account/phone", data={"phone": f"1380000{n:04d}"}).status_code == 303:
            sent += 1
    assert sent == phone.PER_IP_PER_HOUR
    assert len(texts("verification_code")) == phone.PER_IP_PER_HOUR


@pytest.mark.parametrize("number", ["+44 20 7946 0958", "0571-87654321", "12345", "1391234567８9"])
def test_only_mainland_mobile_numbers_get_a_code(world, client, number):
    answer = client.post("/account/phone", data={"phone": number})
    assert answer.status_code == 422 and "mainland mobile number" in answer.get_data(as_text=True)
    assert texts() == []


def test_a_signed_in_citizen_links_their_number_and_later_signs_in_with_it(world, client, auth):
    auth.login(world.citizen)
    letter = file_submission(world, email="", phone=MOBILE).submission
    assert letter.tracking_no not in client.get("/my/submissions").get_data(as_text=True)
    sign_in(client)
    db.session.refresh(world.citizen)
    assert world.citizen.phone == MOBILE
    assert letter.tracking_no in client.get("/my/submissions").get_data(as_text=True)
    auth.logout()
    age_codes(61)
    sign_in(client)
    assert letter.tracking_no in client.get("/my/submissions").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.phone == MOBILE)) == 1


def test_a_number_linked_to_another_account_is_refused(world, client, auth):
    db.session.add(User(email="other@example.org", display_name="other", role="citizen", password_hash="!",
                        phone=MOBILE))
    db.session.commit()
    auth.login(world.citizen)
    answer = sign_in(client)
    assert answer.status_code == 409 and "already linked" in answer.get_data(as_text=True)


def test_a_lost_query_code_is_replaced_by_sms_and_the_old_one_stops_working(world, client):
    created = file_submission(world, email="", phone=MOBILE)
    number = created.submission.tracking_no
    answer = client.post("/track/new-code", data={"tracking_no": number, "contact": "+86 139 1234 5678"})
    assert answer.status_code == 303
    [message] = texts("query_code")
    new_code = message.params["code"]
    assert new_code != created.query_code and "退订" not in message.body_text
    assert services.find_submission(number, created.query_code) is None
    assert services.find_submission(number, new_code) is not None
    assert "code_reissued" in [event.action for event in created.submission.events]
    page = client.post("/track", data={"tracking_no": number, "code": new_code}, follow_redirects=True)
    assert "New query code sent" in page.get_data(as_text=True)


def test_a_new_code_by_mail_when_the_address_was_left(world, client):
    created = file_submission(world, email="Zhang@Example.org", phone="")
    client.post("/track/new-code", data={"tracking_no": created.submission.tracking_no, "contact": "zhang@example.org"})
    db.session.commit()
    [mail] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "query_code_reissued"))
    assert mail.recipient == "zhang@example.org"
    assert services.find_submission(created.submission.tracking_no, created.query_code) is None


def test_a_wrong_contact_gets_the_same_answer_and_changes_nothing(world, client):
    created = file_submission(world, email="", phone=MOBILE)
    right = client.post("/track/new-code", data={"tracking_no": created.submission.tracking_no, "contact": MOBILE},
                        follow_redirects=True).get_data(as_text=True)
    wrong = client.post("/track/new-code", data={"tracking_no": created.submission.tracking_no,
                                                 "contact": "13800138000"}, follow_redirects=True)
    unknown = client.post("/track/new-code", data={"tracking_no": "L-20990101-000001", "contact": MOBILE},
                          follow_redirects=True)
    notice = "If the tracking number and the contact match"
    assert notice in right and notice in wrong.get_data(as_text=True) and notice in unknown.get_data(as_text=True)
    assert len(texts("query_code")) == 1


def test_new_codes_are_limited_per_submission(world, client):
    created = file_submission(world, email="", phone=MOBILE)
    for _ in range(5):
        client.post("/track/new-code", data={"tracking_no": created.submission.tracking_no, "contact": MOBILE})
    assert len(texts("query_code")) == 3


def test_a_mailbox_can_take_letters_from_verified_phones_only(world, client, auth):
    from tests.mailbox_support import _box, form_data

    mailbox = _box("实名信箱", world.dept, require_verified_phone=True)
    db.session.commit()
    refused = client.post("/mailboxes/write", data=form_data(mailbox))
    assert refused.status_code == 422 and "verified mobile numbers only" in refused.get_data(as_text=True)
    sign_in(client)
    other_number = client.post("/mailboxes/write", data=form_data(mailbox, phone="13800138000"))
    assert other_number.status_code == 422 and "139****5678" in other_number.get_data(as_text=True)
    assert client.post("/mailboxes/write", data=form_data(mailbox, phone="", email="")).status_code == 302
    from consult.tracking.models import Submission

    sent = db.session.scalar(sa.select(Submission).order_by(Submission.id.desc()).limit(1))
    assert sent.submitter_phone == MOBILE and sent.contact_verified


def test_numbers_typed_by_sms_pumping_never_get_a_code(world, client):
    from tests.hostile_payloads import PUMPED_NUMBERS

    for number in PUMPED_NUMBERS:
        answer = client.post("/account/phone", data={"phone": number})
        assert answer.status_code in (400, 422, 429), number
    assert texts() == []
