"""Answers before asking, for officers: earlier approved replies of their own department to similar
submissions, offered on the reply form and ready to copy — never another department's."""

import re

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


def test_the_similar_terms_follow_answers_and_publicity_and_a_rebuild_gives_the_same_rows(world, boxes):
    """Each answered submission's content words are kept by the scope it is answered in: all its texts for its
    department's officers, only what the public may search (never its writer's name) for the published letters.
    They follow an answer, a bulk answer (the scope tokens rewritten in SQL) and a change of publicity, and
    ``flask reindex`` rebuilds the same rows."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from consult.extensions import db
    from consult.search.commands import reindex
    from consult.search.documents import rescope_submissions
    from consult.search.schema import similar_terms
    from consult.tokens import is_content_word, search_tokens
    from consult.tracking.models import Submission

    def terms(submission_id: int) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for scope, term in db.session.execute(sa.select(similar_terms.c.scope, similar_terms.c.term)
                                              .where(similar_terms.c.record_id == submission_id)):
            found.setdefault(scope, set()).add(term)
        return found

    def everything() -> list[tuple]:
        return sorted(tuple(row) for row in db.session.execute(sa.select(similar_terms)))

    noise = file_letter(boxes.county, subject="工地夜间施工噪音", body="幸福小区旁工地夜间施工噪音扰民。",
                        name="欧阳娜娜", public=True)
    assert terms(noise.submission_id) == {}  # not answered: nothing to offer yet
    answer(noise, world)
    held = terms(noise.submission_id)
    department = f"a{world.dept.id}"
    assert set(held) == {department, "p"}
    name = {word for word in search_tokens("欧阳娜娜") if is_content_word(word)}
    assert {"噪音", "施工", "幸福", "小区"} <= held["p"] and name and not name & held["p"]
    assert held[department] >= held["p"] | name  # officers' suggestions look in all its texts

    parking = file_letter(boxes.county, subject="小区停车难", body="幸福小区停车位不足。", public=True)
    db.session.execute(sa.update(Submission).where(Submission.id == parking.submission_id)
                       .values(answered_at=datetime.now(UTC)))  # answered in bulk, around the session
    rescope_submissions(db.session.connection(), [parking.submission_id])
    assert "停车位" in terms(parking.submission_id)["p"]

    noise.submission.is_public = False
    db.session.commit()
    assert set(terms(noise.submission_id)) == {department}

    kept = everything()
    db.session.rollback()  # the rebuild empties the table: nothing may hold it open
    reindex("submissions")
    assert everything() == kept
    db.session.rollback()
    held_keys = sa.inspect(db.engine).get_foreign_keys("similar_terms")  # the rebuild set aside the key's checks
    assert [key["referred_table"] for key in held_keys] == ["submissions"]
