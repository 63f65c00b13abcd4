"""Answers before asking, for officers: earlier approved replies of their own department to similar
submissions, offered on the reply form and ready to copy — never another department's."""

import re
from collections import Counter

from tests.mailbox_support import answer, file_letter, login_as


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_officers_see_their_departments_earlier_answers_to_similar_submissions(client, auth, world, boxes):
    earlier = file_letter(boxes.county, subject="工地夜间施工噪音", body="幸福小区旁工地夜间施工噪音扰民。")
    answer(earlier, world, body="您好，已责令施工单位22时后停止高噪声作业。")
    elsewhere = file_letter(boxes.finance, subject="工地夜间施工噪音", body="幸福小区旁工地夜间施工噪音扰民。")
    answer(elsewhere, world, body="财政局的答复：此事不属本局职责。")
    unrelated = file_letter(boxes.county, subject="医保报销", body="异地就医报销比例是多少？")
    answer(unrelated, world, body="异地就医报销比例为百分之七十。")
    new = file_letter(boxes.county, subject="晚上施工太吵", body="幸福小区附近工地晚上施工噪音很大。")
    login_as(auth, world.officer)
    url = f"/office/replies/new?submission={new.submission_id}"
    html = page(client, url)
    assert "Earlier answers of your department" in html
    assert "已责令施工单位22时后停止高噪声作业" in html
    assert "财政局的答复" not in html  # never another department's
    assert "百分之七十" not in html  # not similar
    copy = re.search(r'href="([^"]*earlier=\d+[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "已责令施工单位22时后停止高噪声作业" in re.search(r"<textarea[^>]*>(.*?)</textarea>", page(client, copy), re.S).group(1)
    other_reply = re.search(r"earlier=(\d+)", copy).group(1)
    foreign = int(other_reply) + 1  # the finance bureau's reply was approved right after
    forged = page(client, f"{url}&earlier={foreign}")
    assert "财政局的答复" not in forged  # a reply id that was not offered is ignored


def test_an_earlier_answer_is_found_behind_many_newer_unanswered_submissions_on_the_same_words(world, boxes,
                                                                                             monkeypatch):
    from consult.search import similar

    monkeypatch.setattr(similar, "RECENT", 3)  # the newest records looked at for each word: fewer than below
    earlier = file_letter(boxes.county, subject="工地夜间施工噪音", body="幸福小区旁工地夜间施工噪音扰民。")
    answer(earlier, world, body="您好，已责令施工单位22时后停止高噪声作业。")
    for _ in range(5):  # newer, not answered yet: they have no reply to offer
        file_letter(boxes.county, subject="工地夜间施工噪音", body="幸福小区旁工地夜间施工噪音扰民。")
    offered = similar.similar_replies("幸福小区附近工地晚上施工噪音很大。", world.dept.id, [])
    assert [reply.body for reply in offered] == ["您好，已责令施工单位22时后停止高噪声作业。"]


def test_one_shared_common_word_is_no_likeness(world, boxes):
    from consult.search.similar import similar_replies

    parking = file_letter(boxes.county, subject="小区停车难", body="幸福小区停车位不足，车辆乱停。")
    answer(parking, world, body="已协调增设停车位。")
    lights = file_letter(boxes.county, subject="路灯不亮", body="城南新区小区门口路灯坏了。")
    answer(lights, world, body="路灯已修复。")
    offered = similar_replies("幸福小区停车位不够，晚上车辆乱停乱放。", world.dept.id, [])
    assert [reply.body for reply in offered] == ["已协调增设停车位。"]  # the lights share only 小区
    assert similar_replies("小区绿化带杂草丛生", world.dept.id, []) == []  # both share only 小区 with it


def test_the_earlier_replies_are_read_from_the_candidates_not_from_every_submission_of_the_department(world, boxes,
                                                                                                      monkeypatch):
    """The replies to the similar submissions are read from each candidate by its key: reading them through the
    department's submissions grows with the department (4,000 index entries for 60 candidates at 120,000
    records, ten times that at full size)."""
    import sqlalchemy as sa

    from consult.extensions import db
    from consult.search import similar

    found = similar.similar_records  # the candidates of a large table: 60 (ids with no submission but one)
    monkeypatch.setattr(similar, "similar_records", lambda *args: found(*args) + [(10**6 + n, 0.1) for n in range(59)])
    earlier = file_letter(boxes.county, subject="工地夜间施工噪音", body="幸福小区旁工地夜间施工噪音扰民。")
    answer(earlier, world, body="您好，已责令施工单位22时后停止高噪声作业。")
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if "reply_submissions" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        offered = similar.similar_replies("幸福小区附近工地晚上施工噪音很大。", world.dept.id, [])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert [reply.body for reply in offered] == ["您好，已责令施工单位22时后停止高噪声作业。"]
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's plan depends on its statistics; SQLite's, without them, on the statement alone
    statement, parameters = seen[0]
    plan = " / ".join(row[-1] for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                                 parameters))
    assert "SEARCH submissions USING INTEGER PRIMARY KEY" in plan and "ix_submissions_inbox" not in plan, plan


def test_the_newest_rows_looked_at_first_give_the_same_records_as_looking_at_every_row(world, boxes):
    """PostgreSQL takes each word's newest answered records from the newest index rows first and looks among the
    older rows only for a word found too rarely there: whatever the number of newest rows, the same records."""
    import sqlalchemy as sa

    from consult.extensions import db
    from consult.search.documents import answered_scope_token
    from consult.search.matching import EVERYTHING, newest_per_term
    from consult.search.similar import similarity_query

    texts = [("工地夜间施工噪音", "幸福小区旁工地夜间施工噪音扰民。"), ("小区停车难", "幸福小区停车位不足，车辆乱停。"),
             ("晚上施工太吵", "幸福小区附近工地晚上施工噪音很大。"), ("路灯不亮", "城南新区小区门口路灯坏了。")]
    for n in range(12):
        subject, body = texts[n % len(texts)]
        letter = file_letter(boxes.county, subject=subject, body=body)
        if n % 3 != 2:  # every third one stays unanswered: it never counts
            answer(letter, world, body=f"第{n}号答复。")
    query = similarity_query("幸福小区工地晚上施工噪音，停车位也不足。")

    def found(newest_rows: int) -> list[tuple[int, int]]:
        sql, params = newest_per_term("submissions", query, EVERYTHING, answered_scope_token(world.dept.id), 3,
                                      newest_rows=newest_rows)
        return sorted(tuple(row) for row in db.session.execute(sa.text(sql), params))

    everything = found(10**9)
    assert everything and max(Counter(term for term, _id in everything).values()) == 3
    for newest_rows in (1, 2, 5, 9):
        assert found(newest_rows) == everything
