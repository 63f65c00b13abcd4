"""The comment analysis as a job and its workbench: runs, units, progress, dispositions by unit, scoping."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.drafts_support import add_comment, close_now, get, make_draft, publish_report

from consult.drafts import report
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.models import TimelineEvent
from consult.workbench import jobs, queries
from consult.workbench.models import AnalysisMember, AnalysisRun, AnalysisUnit, CampaignSignature, UnitChange

pytestmark = pytest.mark.usefixtures("request_ctx")

DATA = Path(__file__).resolve().parent / "data"
LETTER = "强烈建议将政务公开专区延伸到每个村（社区），方便老年人就近查阅政策文件，也请在村委会设立查阅点。"
BODY = "\n\n".join(f"第{n}条 第{n}条的内容，关于养犬登记、牵引、免疫和管理的规定。" for n in
                   ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十"))


def _analyse(client, draft_id: int) -> AnalysisRun:
    """Ask for an analysis through the page and wait for its background job."""
    response = client.post(f"/office/drafts/{draft_id}/analysis")
    assert response.status_code == 302
    run = queries.latest_run(draft_id)
    jobs.wait(run.id, timeout=120)
    db.session.commit()  # end this session's read transaction: see what the job wrote
    return db.session.get(AnalysisRun, run.id)


def _small_draft(world) -> tuple[int, list[Comment]]:
    draft_id = make_draft(world)
    made = [add_comment(draft_id, LETTER, anchor="art-3") for _ in range(3)]
    made.append(add_comment(draft_id, LETTER.replace("强烈建议", "我建议").replace("查阅点", "查阅点和自助机"),
                            anchor="art-3"))
    made.append(add_comment(draft_id, "第四条的开放日次数太少，建议每季度举办一次，并提前一个月公布报名方式。",
                            anchor="art-4"))
    made.append(add_comment(draft_id, "整体支持这个方案。"))
    return draft_id, made


def _units(run_id: int) -> list[AnalysisUnit]:
    return list(db.session.scalars(sa.select(AnalysisUnit).where(AnalysisUnit.run_id == run_id)
                                   .order_by(AnalysisUnit.position)))


def test_the_hand_checked_set_goes_through_the_job_into_units(world, client, auth):
    rows = [json.loads(line) for line in (DATA / "analysis_comments.jsonl").read_text("utf-8").splitlines()]
    draft_id = make_draft(world, body=BODY)
    ids = {}
    for row in rows:
        comment = add_comment(draft_id, row["text"] if row["text"].strip() else "空", anchor=row["article"])
        if not row["text"].strip():  # the form refuses blank comments; an import may still bring one
            db.session.execute(sa.update(Comment).where(Comment.id == comment.id).values(body=row["text"]))
            db.session.commit()
        ids[comment.id] = row
    close_now(draft_id)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    assert run.status == "done", run.error
    members = db.session.execute(sa.select(AnalysisMember.comment_id, AnalysisUnit.kind, AnalysisUnit.id)
                                 .join(AnalysisUnit, AnalysisUnit.id == AnalysisMember.unit_id)
                                 .where(AnalysisMember.run_id == run.id)).all()
    assert sorted(m.comment_id for m in members) == sorted(ids)  # every comment in exactly one unit
    campaigns = [u for u in _units(run.id) if u.kind == "campaign"]
    assert len(campaigns) == 4 and sum(u.size for u in campaigns) == sum(1 for r in rows if r["campaign"])
    assert run.summary["comments"] == len(rows) and run.summary["units_by_kind"]["campaign"] == 4
    # The campaigns hold exactly the comments of one labelled form letter each.
    unit_of = {m.comment_id: m.id for m in members}
    for letter in ("A", "B", "C", "D"):
        assert len({unit_of[cid] for cid, row in ids.items() if row["campaign"] == letter}) == 1
    page = client.get(f"/office/drafts/{draft_id}/analysis").get_data(as_text=True)
    assert "4 form letters with 52 comments in all" in page or "4 form letters with" in page
    assert f"Processed 0 / {len(rows)}" in page


def test_bad_input_always_lands_in_a_unit(world, client, auth):
    draft_id = make_draft(world)
    emoji = add_comment(draft_id, "👍👍👍🎉🎉")
    long = add_comment(draft_id, "建议延长开放时间。" * 555)  # 4,995 characters: the form's limit is 5,000
    huge = add_comment(draft_id, "待替换的意见")
    markup = add_comment(draft_id, "<script>alert(1)</script><b>建议</b>&nbsp;在<a href='x'>每个村</a>设立查阅点<p>")
    blank = add_comment(draft_id, "待清空的意见")
    mixed = add_comment(draft_id, "Please add English 说明 to 第三条 😀 ١٢٣")
    # Imported comments may be what the form refuses: empty, or far longer than its limit.
    db.session.execute(sa.update(Comment).where(Comment.id == blank.id).values(body=""))
    db.session.execute(sa.update(Comment).where(Comment.id == huge.id).values(body="第三条应当修改。" * 25000))
    db.session.commit()
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    assert run.status == "done", run.error
    placed = db.session.scalars(sa.select(AnalysisMember.comment_id).where(AnalysisMember.run_id == run.id)).all()
    assert sorted(placed) == sorted(c.id for c in (emoji, long, huge, markup, blank, mixed))
    unit_id = db.session.scalar(sa.select(AnalysisMember.unit_id).where(AnalysisMember.comment_id == markup.id))
    page = client.get(f"/office/drafts/{draft_id}/analysis/units/{unit_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_preview_while_open_then_analysis_after_closing(world, client, auth):
    draft_id, made = _small_draft(world)
    auth.login(world.officer)
    first = _analyse(client, draft_id)
    assert first.status == "done" and first.preview
    page = client.get(f"/office/drafts/{draft_id}/analysis").get_data(as_text=True)
    assert "this is a preview" in page and "Disposition for the unit" not in page
    add_comment(draft_id, "新的意见：请公布开放日的报名电话。", anchor="art-4")  # comments never wait for a run
    page = client.get(f"/office/drafts/{draft_id}/analysis").get_data(as_text=True)
    assert "1 new comments are in no unit yet" in page
    close_now(draft_id)
    second = _analyse(client, draft_id)
    assert second.status == "done" and not second.preview and second.summary["comments"] == len(made) + 1
    # The earlier run's units are gone; its row stays as history.
    assert not _units(first.id) and get(AnalysisRun, first.id).status == "done"


def test_campaign_page_shows_the_template_once_and_only_the_changes(world, client, auth):
    draft_id, made = _small_draft(world)
    close_now(draft_id)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    campaign = next(u for u in _units(run.id) if u.kind == "campaign")
    assert campaign.size == 4 and campaign.edited_count == 1
    page = client.get(f"/office/drafts/{draft_id}/analysis/units/{campaign.id}").get_data(as_text=True)
    assert page.count(LETTER) == 1
    assert "<ins>和自助机</ins>" in page and "<del>强烈</del>" in page
    assert "Same as the form letter." not in page  # the three word-for-word copies are left out
    every = client.get(f"/office/drafts/{draft_id}/analysis/units/{campaign.id}?all=1").get_data(as_text=True)
    assert every.count("Same as the form letter.") == 3


def test_a_unit_disposition_reaches_its_comments_and_the_report_waits_for_every_unit(world, client, auth):
    draft_id, made = _small_draft(world)
    close_now(draft_id)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    units = _units(run.id)
    campaign = units[0]
    response = client.post(f"/office/drafts/{draft_id}/analysis/units/{campaign.id}",
                           data={"disposition": "adopted", "reason": "已在第三条中增加村级查阅点。"})
    assert response.status_code == 302
    assert {get(Comment, c.id).disposition for c in made[:4]} == {"adopted"}
    page = client.get(f"/office/drafts/{draft_id}/analysis").get_data(as_text=True)
    assert f"Processed 4 / {len(made)}" in page
    # Every other comment gets a disposition one by one: the report still waits for its units.
    for comment in made[4:]:
        report.set_disposition(get(Draft, draft_id), [get(Comment, comment.id)], "noted", "已知悉",
                               db.session.merge(world.editor))
    db.session.commit()
    response = client.post(f"/office/drafts/{draft_id}/report", data={"summary": "总结"})
    assert response.status_code == 409
    assert "units of the comment analysis have no disposition yet" in response.get_data(as_text=True)
    for unit in units[1:]:
        client.post(f"/office/drafts/{draft_id}/analysis/units/{unit.id}", data={"disposition": "noted",
                                                                                  "reason": "已知悉。"})
    assert client.post(f"/office/drafts/{draft_id}/report", data={"summary": "总结"}).status_code == 302
    assert get(Draft, draft_id).report_state == "pending_review"


def test_a_member_keeps_its_own_disposition_and_a_rerun_keeps_every_decision(world, client, auth):
    draft_id, made = _small_draft(world)
    close_now(draft_id)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    campaign = _units(run.id)[0]
    campaign_id, own = campaign.id, made[1]
    response = client.post(f"/office/drafts/{draft_id}/analysis/units/{campaign.id}/comments/{own.id}",
                           data={"m-disposition": "not_adopted", "m-reason": "该村已有查阅点。"})
    assert response.status_code == 302
    client.post(f"/office/drafts/{draft_id}/analysis/units/{campaign.id}",
                data={"disposition": "adopted", "reason": "采纳。"})
    assert get(Comment, own.id).disposition == "not_adopted"
    assert get(Comment, made[0].id).disposition == "adopted"
    rerun = _analyse(client, draft_id)
    assert rerun.status == "done" and rerun.id != run.id
    again = _units(rerun.id)[0]
    assert (again.disposition, again.disposition_reason, again.read_at is not None) == ("adopted", "采纳。", True)
    assert get(Comment, own.id).disposition == "not_adopted"
    assert get(AnalysisMember, (rerun.id, own.id)).overridden
    assert get(AnalysisRun, rerun.id).decided_comments == 4
    # Deciding the unit again still leaves the comment with its own disposition alone.
    client.post(f"/office/drafts/{draft_id}/analysis/units/{again.id}", data={"disposition": "partly_adopted",
                                                                              "reason": "部分采纳。"})
    assert get(Comment, own.id).disposition == "not_adopted"
    assert get(Comment, made[0].id).disposition == "partly_adopted"
    # A unit of the replaced run cannot be decided any more.
    response = client.post(f"/office/drafts/{draft_id}/analysis/units/{campaign_id}",
                           data={"disposition": "noted", "reason": "已知悉。"})
    assert response.status_code == 404


def test_a_failed_job_shows_as_failed_with_a_retry_and_leaves_the_last_results(world, client, auth, monkeypatch):
    draft_id, made = _small_draft(world)
    close_now(draft_id)
    auth.login(world.editor)
    good = _analyse(client, draft_id)

    def broken(*args, **kwargs):
        raise MemoryError("out of memory while clustering")

    monkeypatch.setattr(jobs, "analyse", broken)
    failed = _analyse(client, draft_id)
    assert failed.status == "failed" and "out of memory" in failed.error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalysisUnit)
                             .where(AnalysisUnit.run_id == failed.id)) == 0
    page = client.get(f"/office/drafts/{draft_id}/analysis").get_data(as_text=True)
    assert "The analysis failed." in page and "Try again" in page
    assert queries.current_run(draft_id).id == good.id and _units(good.id)
    monkeypatch.undo()
    retried = _analyse(client, draft_id)
    assert retried.status == "done"


def test_a_running_analysis_refreshes_its_page_and_a_double_submit_makes_one_run(world, client, auth, monkeypatch):
    draft_id, _made = _small_draft(world)
    monkeypatch.setattr(jobs, "dispatch", lambda run_id: None)  # the job has not started yet
    auth.login(world.editor)
    client.post(f"/office/drafts/{draft_id}/analysis")
    response = client.post(f"/office/drafts/{draft_id}/analysis", follow_redirects=True)
    assert "already being analysed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalysisRun)) == 1
    page = client.get(f"/office/drafts/{draft_id}/analysis").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in page and "Waiting to start" in page
    assert "Reload now" in page


def test_the_page_never_writes_on_get(world, client, auth, app, sql):
    draft_id, _made = _small_draft(world)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    with sql() as statements:
        unit = _units(run.id)[0]
        for url in (f"/office/drafts/{draft_id}/analysis", f"/office/drafts/{draft_id}/analysis/units/{unit.id}",
                    f"/office/drafts/{draft_id}/analysis/articles/art-3", f"/office/drafts/{draft_id}/analysis?kind=topic"):
            assert client.get(url).status_code == 200
    writes = [s for s in statements.writes if "login_sessions" not in s]
    assert writes == []


@pytest.mark.parametrize("who, status", [("citizen", 403), ("other_reviewer", 403), ("officer", 200), ("reviewer", 200),
                                         ("editor", 200), ("admin", 200)])
def test_only_staff_of_the_lead_department_and_editors_see_the_analysis(world, client, auth, who, status):
    draft_id = make_draft(world)
    auth.login(getattr(world, who))
    assert client.get(f"/office/drafts/{draft_id}/analysis").status_code == status
    if status == 403:
        assert client.post(f"/office/drafts/{draft_id}/analysis").status_code == 403
    else:
        _analyse(client, draft_id)  # and wait for its job, which would otherwise still write into the next test


def test_unknown_drafts_units_and_articles_answer_404(world, client, auth):
    draft_id, _made = _small_draft(world)
    other_id = make_draft(world)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    unit = _units(run.id)[0]
    assert client.get("/office/drafts/99999/analysis").status_code == 404
    assert client.get(f"/office/drafts/{other_id}/analysis/units/{unit.id}").status_code == 404
    assert client.get(f"/office/drafts/{draft_id}/analysis/articles/art-99").status_code == 404
    assert client.get(f"/office/drafts/{draft_id}/analysis?cursor=nonsense").status_code == 400


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    draft_id = make_draft(world)
    response = client.get(f"/office/drafts/{draft_id}/analysis")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _close(draft_id: int) -> None:
    """Close the consultation as it happens in life: now, not at a moment still to come."""
    from consult.database import utcnow

    close_now(draft_id)
    db.session.execute(sa.update(Draft).where(Draft.id == draft_id).values(closed_at=utcnow()))
    db.session.commit()


def _revised(body: str) -> str:
    return body.replace("第三条 建立政务公开专区，方便群众查阅政策文件。",
                        "第三条 建立政务公开专区，并在每个村（社区）设立查阅点，方便群众查阅政策文件。")


def test_an_adopted_unit_is_linked_to_its_change_and_the_report_shows_it(world, client, auth):
    from tests.drafts_support import BODY as DRAFT_BODY

    draft_id, made = _small_draft(world)
    _close(draft_id)
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    units = _units(run.id)
    campaign = units[0]
    url = f"/office/drafts/{draft_id}/analysis/units/{campaign.id}"
    client.post(url, data={"disposition": "adopted", "reason": "已在第三条中增加村级查阅点。"})
    # No revised text yet: nothing to link to.
    assert "Record the revised text" in client.get(url).get_data(as_text=True)
    response = client.post(f"/office/drafts/{draft_id}/analysis/revision",
                           data={"body": DRAFT_BODY, "change_note": "无"})
    assert response.status_code == 422
    assert "same as the text put out for comment" in response.get_data(as_text=True)
    response = client.post(f"/office/drafts/{draft_id}/analysis/revision",
                           data={"body": _revised(DRAFT_BODY), "change_note": "第三条增加村级查阅点。"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="art-3"' in page and 'value="art-4"' not in page  # only changed articles are offered
    assert client.post(f"{url}/changes", data={"anchors": ["art-4"]}, follow_redirects=True).status_code == 200
    assert not db.session.scalars(sa.select(UnitChange)).all()
    client.post(f"{url}/changes", data={"anchors": ["art-3"]})
    assert [c.anchor for c in db.session.scalars(sa.select(UnitChange))] == ["art-3"]
    for unit in units[1:]:
        client.post(f"/office/drafts/{draft_id}/analysis/units/{unit.id}", data={"disposition": "noted",
                                                                                  "reason": "已知悉。"})
    assert client.post(f"/office/drafts/{draft_id}/report", data={"summary": "总结"}).status_code == 302
    auth.login(world.reviewer)
    publish_report(client, draft_id)
    auth.logout()
    page = client.get(f"/drafts/{draft_id}/report").get_data(as_text=True)
    assert "These comments led to the change of 第三条." in page
    assert "建立政务公开专区，<ins>并在每个村（社区）设立查阅点，</ins>方便群众查阅政策文件。" in page
    assert "A form letter sent 4 times" in page
    assert "1 form letters with 4 comments in all, 66.7% of all comments" in page
    figures = client.get(f"/api/v1/drafts/{draft_id}/report").get_json()
    assert figures["campaigns"] == {"templates": 1, "comments": 4, "share": 0.6667}
    # Every commenter of the adopted, linked unit is told that the comment changed the article; others are not.
    mails = [m.body_text for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "comment_answered_in_report"))]
    told = [body for body in mails if "led to the change of 第三条" in body]
    assert len(told) == 4 and len(mails) == len(made)
    event = db.session.scalar(sa.select(TimelineEvent).where(
        TimelineEvent.submission_id == get(Comment, made[0].id).submission_id,
        TimelineEvent.action == "answer_by_publication"))
    assert "led to the change of 第三条" in event.public_note


def test_only_an_adopted_unit_keeps_its_links_and_only_editors_record_the_revised_text(world, client, auth):
    from tests.drafts_support import BODY as DRAFT_BODY

    draft_id, made = _small_draft(world)
    _close(draft_id)
    auth.login(world.officer)
    assert client.post(f"/office/drafts/{draft_id}/analysis/revision",
                       data={"body": _revised(DRAFT_BODY), "change_note": "改"}).status_code == 403
    auth.login(world.editor)
    run = _analyse(client, draft_id)
    campaign = _units(run.id)[0]
    url = f"/office/drafts/{draft_id}/analysis/units/{campaign.id}"
    client.post(f"/office/drafts/{draft_id}/analysis/revision",
                data={"body": _revised(DRAFT_BODY), "change_note": "第三条增加村级查阅点。"})
    response = client.post(f"{url}/changes", data={"anchors": ["art-3"]}, follow_redirects=True)
    assert "Only an adopted or partly adopted unit" in response.get_data(as_text=True)
    client.post(url, data={"disposition": "partly_adopted", "reason": "部分采纳。"})
    client.post(f"{url}/changes", data={"anchors": ["art-3"]})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitChange)) == 1
    rerun = _analyse(client, draft_id)  # a rerun keeps the link with the same unit
    assert [c.unit_id for c in db.session.scalars(sa.select(UnitChange))] == [_units(rerun.id)[0].id]
    client.post(f"/office/drafts/{draft_id}/analysis/units/{_units(rerun.id)[0].id}",
                data={"disposition": "not_adopted", "reason": "不予采纳。"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitChange)) == 0


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    finally:
        client.close()
    return url


def test_with_redis_the_analysis_runs_on_an_rq_worker(world, client, auth, app, redis_url):
    import uuid

    from redis import Redis
    from rq import Queue, SimpleWorker

    name = f"consult-analysis-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=redis_url, ANALYSIS_RQ_QUEUE=name)
    draft_id, made = _small_draft(world)
    auth.login(world.editor)
    assert client.post(f"/office/drafts/{draft_id}/analysis").status_code == 302
    run = queries.latest_run(draft_id)
    assert run.status == "queued"  # nothing ran in the request, nor on a thread of this process
    run_id = run.id
    queue = Queue(name, connection=Redis.from_url(redis_url))
    try:
        (job,) = queue.get_jobs()
        db.session.commit()
        assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
        assert job.get_status(refresh=True) == "finished" and job.return_value() == "done"
    finally:
        queue.delete(delete_jobs=True)
        queue.connection.close()
    db.session.commit()
    assert get(AnalysisRun, run_id).summary["comments"] == len(made)


def test_a_rerun_after_new_comments_hashes_only_the_new_texts_and_finds_the_same_units(world, client, auth):
    draft_id, made = _small_draft(world)
    auth.login(world.editor)
    first = _analyse(client, draft_id)
    # Three distinct texts long enough for a signature: the letter, its edited copy, the comment on 第四条.
    assert first.seconds["hashed"] == 3
    kept = db.session.scalar(sa.select(sa.func.count()).select_from(CampaignSignature))
    assert kept == 3
    new = add_comment(draft_id, LETTER.replace("强烈建议", "我们建议"), anchor="art-3")
    add_comment(draft_id, LETTER, anchor="art-3")  # a copy of a text already seen: nothing to hash
    close_now(draft_id)
    second = _analyse(client, draft_id)
    assert second.status == "done" and second.seconds["hashed"] == 1
    campaign = _units(second.id)[0]
    assert campaign.kind == "campaign" and campaign.size == 6
    assert db.session.scalar(sa.select(AnalysisMember.unit_id).where(
        AnalysisMember.run_id == second.id, AnalysisMember.comment_id == new.id)) == campaign.id
    units = [(u.key, u.size) for u in _units(second.id)]
    # A signature kept under other parameters (or for another text) is computed again, not trusted.
    db.session.execute(sa.update(CampaignSignature).values(params="other"))
    db.session.commit()
    third = _analyse(client, draft_id)
    assert third.seconds["hashed"] == 4
    assert [(u.key, u.size) for u in _units(third.id)] == units
