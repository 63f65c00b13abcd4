"""The feedback report's numbers — by article, by disposition and by stance — on the public report page, in
its CSV and JSON downloads and in the API, the same everywhere and without personal data."""

import csv
import io

import pytest
import sqlalchemy as sa
from tests.drafts_support import add_comment, close_now, get, make_draft

from consult.drafts import report
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from consult.workbench import jobs, queries, services as workbench
from consult.workbench.models import AnalysisRun, AnalysisUnit

pytestmark = pytest.mark.usefixtures("request_ctx")

LETTER = "强烈建议将政务公开专区延伸到每个村（社区），方便老年人就近查阅政策文件。"


def _draft_with_comments(world) -> int:
    draft_id = make_draft(world)
    for _ in range(3):
        add_comment(draft_id, LETTER, anchor="art-3", email="zhangsan@example.org", name="张三")
    add_comment(draft_id, "第四条的开放日次数太少，建议每季度举办一次。", anchor="art-4")
    add_comment(draft_id, "坚决反对第四条，开放日没有必要。", anchor="art-4")
    add_comment(draft_id, "整体支持这个方案。")
    close_now(draft_id)
    return draft_id


def _analyse(client, auth, world, draft_id: int) -> AnalysisRun:
    auth.login(world.editor)
    assert client.post(f"/office/drafts/{draft_id}/analysis").status_code == 302
    run = queries.latest_run(draft_id)
    jobs.wait(run.id, timeout=120)
    db.session.commit()
    return db.session.get(AnalysisRun, run.id)


def _publish(world, draft_id: int, *, by_unit: AnalysisRun | None = None) -> None:
    editor = db.session.merge(world.editor)
    if by_unit is not None:
        units = db.session.scalars(sa.select(AnalysisUnit).where(AnalysisUnit.run_id == by_unit.id)).all()
        for unit in units:
            workbench.decide_unit(unit, "adopted" if unit.article_anchor == "art-3" else "noted", "已研究。", editor)
    else:
        draft = get(Draft, draft_id)
        comments = db.session.scalars(sa.select(Comment).where(Comment.draft_id == draft_id)).all()
        for comment in comments:
            report.set_disposition(draft, [comment], "adopted" if comment.article_anchor == "art-3" else "noted",
                                   "已研究。", editor)
    db.session.commit()
    report.submit_report(get(Draft, draft_id), editor, "共收到意见6条。")
    report.approve_report(get(Draft, draft_id), db.session.merge(world.reviewer))
    db.session.commit()


def test_the_numbers_by_article_disposition_and_stance_agree_everywhere(world, client, auth):
    draft_id = _draft_with_comments(world)
    run = _analyse(client, auth, world, draft_id)
    assert client.get(f"/api/v1/drafts/{draft_id}/report").status_code == 404  # not published yet
    _publish(world, draft_id, by_unit=run)
    auth.logout()

    page = client.get(f"/drafts/{draft_id}/report").get_data(as_text=True)
    assert "Comments by stance" in page and "Comments by article" in page and "Comments analysed" in page and "Suggests changes" in page

    data = client.get(f"/api/v1/drafts/{draft_id}/report").get_json()
    assert data["total"] == 6
    assert data["by_disposition"] == {"adopted": 3, "partly_adopted": 0, "not_adopted": 0, "noted": 3}
    assert sum(data["by_stance"].values()) == data["stance_source"]["comments"] == 6
    assert data["by_stance"]["support"] >= 1 and data["by_stance"]["oppose"] >= 1
    articles = {a["anchor"]: a for a in data["by_article"]}
    assert articles["art-3"]["total"] == 3 and articles["art-3"]["by_disposition"]["adopted"] == 3
    assert articles[None]["label"] == "The whole draft" and articles[None]["total"] == 1
    assert sum(sum(a["by_stance"].values()) for a in data["by_article"]) == 6

    download = client.get(f"/drafts/{draft_id}/report/figures.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.get_json() == data

    text = client.get(f"/drafts/{draft_id}/report/figures.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    total = next(r for r in rows if r["scope"] == "draft")
    assert (int(total["total"]), int(total["adopted"]), int(total["noted"])) == (6, 3, 3)
    assert int(total["support"]) == data["by_stance"]["support"]
    assert {r["article_anchor"] for r in rows if r["scope"] == "article"} == {"", "art-3", "art-4"}
    # Counts only: no name, address or comment text in any of them.
    for body in (page, text, download.get_data(as_text=True)):
        assert "zhangsan@example.org" not in body and "张三" not in body
    assert LETTER not in text and LETTER not in download.get_data(as_text=True)


def test_a_report_without_analysis_has_no_stance_figures(world, client):
    draft_id = _draft_with_comments(world)
    _publish(world, draft_id)
    data = client.get(f"/api/v1/drafts/{draft_id}/report").get_json()
    assert data["by_stance"] is None and data["stance_source"] is None
    assert all(a["by_stance"] is None for a in data["by_article"])
    page = client.get(f"/drafts/{draft_id}/report").get_data(as_text=True)
    assert "have not been analysed" in page
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/drafts/{draft_id}/report/figures.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert all(r["support"] == "" for r in rows) and next(r for r in rows if r["scope"] == "draft")["total"] == "6"


def test_figures_of_an_unpublished_or_unknown_report_are_not_found(world, client):
    draft_id = _draft_with_comments(world)
    for url in (f"/drafts/{draft_id}/report/figures.csv", f"/drafts/{draft_id}/report/figures.json",
                f"/drafts/{draft_id}/report/figures.xml", "/drafts/999/report/figures.csv",
                f"/api/v1/drafts/{draft_id}/report", "/api/v1/drafts/999/report"):
        assert client.get(url).status_code == 404, url
