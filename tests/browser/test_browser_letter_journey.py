"""Journey 2 in a real browser: a citizen writes to a mailbox with an attachment, receives the confirmation
mail from the SMTP server, the letter is answered and approved, and it appears masked on the public list."""

import re
import struct
import zlib

import pytest

from tests.browser.support import assert_accessible, fact, login, shoot, submit

OFFICER, REVIEWER = "officer.xzfb@consult.localhost", "reviewer.xzfb@consult.localhost"
MAYOR_MAILBOX = "县长信箱"


def tiny_png() -> bytes:
    """A real 2×2 PNG (uploads are checked by their content, not their name)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + b"\xa6\x1b\x1b" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_letter_with_attachment_is_confirmed_answered_and_published_masked(
        new_page, live_server, smtp_server, screenshot_dir, viewport):
    zh = live_server.zh
    email, phone = f"zhang.{viewport}@example.org", "13912345678"
    subject = f"建议在人民公园增设无障碍坡道（{viewport}）"
    citizen = new_page(viewport)

    citizen.goto("/mailboxes")
    citizen.get_by_role("link", name=MAYOR_MAILBOX).first.click()
    citizen.get_by_role("link", name=re.compile(zh("Write a letter"))).first.click()
    citizen.locator("#category").select_option("suggestion")
    citizen.locator("#subject").fill(subject)
    citizen.locator("#body").fill("人民公园东门台阶较多，轮椅和婴儿车无法通行，建议增设坡道。现场照片见附件。")
    citizen.locator("#attachments").set_input_files(
        [{"name": "dongmen.png", "mimeType": "image/png", "buffer": tiny_png()}])
    citizen.locator("#name").fill("张丽华")
    citizen.locator("#phone").fill(phone)
    citizen.locator("#email").fill(email)
    citizen.locator("#public").check()
    submit(citizen, zh("Send the letter"))

    assert citizen.get_by_role("heading", level=1).inner_text() == zh("Thank you for your letter")
    tracking_no = fact(citizen, zh("Tracking number"))
    assert fact(citizen, zh("Query code"))
    assert_accessible(citizen)

    # The confirmation mail arrives at the test SMTP server once the outbox is sent.
    live_server.deliver_mail()
    mails = smtp_server.to(email)
    assert mails and tracking_no in mails[-1].get_body(("plain",)).get_content()

    # The officer sees the letter and its attachment, replies; a reviewer approves the reply.
    officer = new_page(viewport)
    login(officer, OFFICER)
    officer.goto("/mailboxes/office")
    officer.get_by_role("row").filter(has_text=tracking_no).get_by_role("link", name=zh("Move")).click()
    assert officer.get_by_role("link", name="dongmen.png").count() == 1
    officer.goto("/mailboxes/office")
    officer.get_by_role("link", name=tracking_no, exact=True).click()
    officer.get_by_role("link", name=zh("Write a reply")).click()
    officer.locator("#body").fill("您好！公园管理处已将东门坡道列入本年度改造计划，预计下月完工。")
    submit(officer, zh("Save the draft and preview it"))
    submit(officer, zh("Submit for review"))
    reviewer = new_page(viewport)
    login(reviewer, REVIEWER)
    reviewer.goto("/office/review/replies")
    reviewer.locator("article, li, tr").filter(has_text=tracking_no).get_by_role("link").first.click()
    submit(reviewer, zh("Approve and send"))

    # The public list shows the letter and its answer, with the name masked and no contact details.
    visitor = new_page(viewport)
    visitor.goto("/mailboxes/letters")
    letter = visitor.locator("article.letter").filter(has_text=subject)
    text = letter.inner_text()
    assert "预计下月完工" in text and "张*" in text
    assert "张丽华" not in text and phone not in text and email not in text and "dongmen" not in text
    assert_accessible(visitor)
    shoot(visitor, screenshot_dir, f"public-letters-{viewport}")
