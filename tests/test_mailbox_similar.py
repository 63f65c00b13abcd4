"""Answers before asking, for citizens: while writing a letter they are shown the FAQ entries and published
answered letters similar to what they are writing — without script as a step that keeps everything typed and
sends nothing, with script as JSON for the live panel. Only what the published letters page shows, redacted."""

import re

import pytest
from tests.mailbox_support import WRITER_EMAIL, WRITER_PHONE, answer, file_letter, form_data, letters

from consult.extensions import db
from consult.mailbox import faq

pytestmark = pytest.mark.usefixtures("request_ctx")

NOISE = dict(subject="工地夜间施工噪音", body=f"幸福小区旁工地夜间施工噪音扰民，我是欧阳娜娜，电话{WRITER_PHONE}。")


def _similar(client, **fields) -> dict:
    response = client.post("/mailboxes/similar-answers", data=fields, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.status_code
    return response.get_json()


@pytest.fixture
def answered(boxes, world):
    """One published answered letter about building-site noise, and others that must never be offered."""
    shown = file_letter(boxes.county, public=True, **NOISE)
    answer(shown, world, body=f"欧阳娜娜您好：已责令施工单位22时后停止高噪声作业。如有疑问请致电{WRITER_PHONE}。")
    private = file_letter(boxes.county, public=False, subject="工地夜间施工噪音（不公开）", body="工地夜间施工噪音，不愿公开。")
    answer(private, world, body="不公开的答复：已处理。")
    report = file_letter(boxes.county, public=False, category="report", subject="举报工地夜间施工噪音",
                         body="举报工地夜间施工噪音。")
    answer(report, world, body="举报的答复：已查处。")
    file_letter(boxes.county, public=True, subject="工地夜间施工噪音（未答复）", body="工地夜间施工噪音，尚未答复。")
    unpublished_box = file_letter(boxes.private, public=True, subject="工地夜间施工噪音（内部）", body="工地夜间施工噪音。")
    answer(unpublished_box, world, body="内部信箱的答复。")
    unrelated = file_letter(boxes.county, public=True, subject="医保报销", body="异地就医报销比例是多少？")
    answer(unrelated, world, body="异地就医报销比例为百分之七十。")
    return shown


def test_a_citizen_writing_about_noise_is_offered_the_published_answer_without_personal_data(client, answered):
    found = _similar(client, subject="晚上工地施工太吵", body="小区附近的工地晚上施工噪音很大，影响休息。")
    assert found["looked"] is True
    [letter] = found["letters"]
    assert letter["subject"] == "工地夜间施工噪音"
    assert "停止高噪声作业" in letter["answer"] and letter["url"].endswith(f"/mailboxes/letters/{answered.id}")
    text = str(found)
    for never in ("不公开的答复", "举报的答复", "未答复", "内部信箱的答复", "百分之七十", WRITER_PHONE, "欧阳娜娜", WRITER_EMAIL):
        assert never not in text, never
    # The letter offered is one the public page shows, as it shows it.
    assert client.get(letter["url"]).status_code == 200


def test_too_little_typed_or_nothing_similar_offers_nothing(client, answered):
    assert _similar(client, subject="噪", body="") == {"looked": False, "faqs": [], "letters": []}
    found = _similar(client, subject="公积金提取", body="住房公积金怎么提取？")
    assert found["looked"] is True and found["letters"] == [] and found["faqs"] == []


@pytest.mark.parametrize("hostile", ['"噪音', "噪音 NEAR(施工 OR *)", "-噪音:施工 (", "工地\u200b噪音😀\x07", "噪音" * 3000])
def test_query_syntax_emoji_and_very_long_texts_are_only_words(client, answered, hostile):
    found = _similar(client, subject=hostile, body=hostile)
    assert found["looked"] is True


def test_without_script_the_step_shows_similar_answers_and_keeps_every_field_without_sending(client, boxes, answered):
    before = len(letters())
    typed = form_data(boxes.county, subject="晚上工地施工太吵", body="小区附近的工地晚上施工噪音很大，影响休息。",
                      name="李四", phone="13912345678", email="li.si@example.org", public="y", category="complaint")
    response = client.post("/mailboxes/write/similar", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(letters()) == before  # nothing sent, nothing stored
    panel = re.search(r'<div class="similar-results"[^>]*aria-live="polite">(.*?)</div>', page, re.S).group(1)
    assert "工地夜间施工噪音" in panel and "停止高噪声作业" in panel
    assert WRITER_PHONE not in panel and "欧阳娜娜" not in panel
    for value in ("晚上工地施工太吵", "李四", "13912345678", "li.si@example.org", typed["form_token"]):
        assert value in page, value
    assert "checked" in re.search(r'<input[^>]*id="public"[^>]*>', page).group(0)
    assert "selected" in re.search(r'<option[^>]*value="complaint"[^>]*>', page).group(0)
    # Then the letter is sent as usual, once.
    assert client.post("/mailboxes/write", data=typed).status_code == 302
    assert len(letters()) == before + 1


def test_the_form_offers_the_step_and_the_live_region(client, boxes):
    page = client.get(f"/mailboxes/write?mailbox={boxes.county.id}").get_data(as_text=True)
    assert 'formaction="/mailboxes/write/similar"' in page
    assert re.search(r'id="similar-answers-results" aria-live="polite"', page)
    assert "js/mailbox-similar.js" in page


def test_matching_faq_entries_come_first_those_of_the_mailbox_written_to_before_others(client, boxes, world, answered):
    officer, other = world.officer, world.other_officer
    faq.save_faq(None, mailbox=boxes.finance, actor=other, question="工地噪音归谁管？", answer="请向生态环境部门反映。")
    faq.save_faq(None, mailbox=boxes.county, actor=officer, question="夜间施工噪音扰民怎么办？",
                 answer="22时至次日6时禁止产生噪声的施工作业。")
    db.session.commit()
    found = _similar(client, subject="晚上工地施工噪音", body="工地晚上施工噪音很大。", mailbox_id=str(boxes.county.id))
    assert [f["question"] for f in found["faqs"]] == ["夜间施工噪音扰民怎么办？", "工地噪音归谁管？"]
    assert found["faqs"][0]["url"].endswith(f"/mailboxes/{boxes.county.id}#faq-{found['faqs'][0]['url'].split('-')[-1]}")
    assert found["letters"]
    page = client.post("/mailboxes/write/similar", data=form_data(
        boxes.county, subject="晚上工地施工噪音", body="工地晚上施工噪音很大。")).get_data(as_text=True)
    assert page.index("夜间施工噪音扰民怎么办？") < page.index("停止高噪声作业")


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_the_lookup_is_rate_limited(client, answered):
    statuses = [client.post("/mailboxes/similar-answers", data={"subject": "工地噪音", "body": "晚上施工"},
                            headers={"Accept": "application/json"}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_lookup_needs_the_forms_token(client, answered):
    response = client.post("/mailboxes/similar-answers", data={"subject": "工地噪音", "body": "晚上施工"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_looking_up_answers_writes_nothing(client, answered, sql):
    with sql() as statements:
        _similar(client, subject="晚上工地施工太吵", body="小区附近的工地晚上施工噪音很大。")
    assert statements.writes == []


def test_a_letter_sharing_only_a_common_word_is_not_offered_to_fill_a_place(client, boxes, world):
    for subject, body, reply in (
            NOISE["subject"], NOISE["body"], "已责令施工单位22时后停止高噪声作业。"), (
            "小区停车位不足", "小区停车位太少，车辆乱停。", "已协调增设停车位。"), (
            "医保报销", "异地就医报销比例是多少？", "异地就医报销比例为百分之七十。"), (
            "路灯损坏", "建设路路灯坏了两周。", "已修复。"), (
            "公交班次", "到市区的公交班次太少。", "已增加班次。"):
        letter = file_letter(boxes.county, public=True, subject=subject, body=body)
        answer(letter, world, body=reply)
    found = _similar(client, subject="晚上工地施工太吵", body="小区附近的工地晚上施工噪音很大，影响休息。")
    assert [letter["subject"] for letter in found["letters"]] == ["工地夜间施工噪音"]
    # Written about parking, the parking letter is the one offered.
    parking = _similar(client, subject="小区停车难", body="小区停车位不够，晚上回家没地方停车。")
    assert [letter["subject"] for letter in parking["letters"]] == ["小区停车位不足"]
