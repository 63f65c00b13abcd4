"""The stance lexicon an admin edits: shown per stance, checked as a whole, kept as versions, used by the next
analysis (and only by it)."""

import pytest
import sqlalchemy as sa
from tests.drafts_support import add_comment, make_draft

from consult.analysis.stance import shipped_text
from consult.extensions import db
from consult.workbench import jobs, lexicon, queries
from consult.workbench.models import AnalysisMember, AnalysisRun, StanceLexicon

pytestmark = pytest.mark.usefixtures("request_ctx")

URL = "/admin/stance-lexicon"
COMMENT = "这个办法我举旗，盼了好多年。"  # 盼了 is no cue; 举旗 is none until the admin adds it


def _versions() -> int:
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(StanceLexicon))


def _with_support_cue(word: str) -> str:
    text = shipped_text()
    assert 'strong = [\n    "支持",' in text
    return text.replace('strong = [\n    "支持",', f'strong = [\n    "{word}", "支持",', 1)


def _stance_after_analysis(client, draft_id: int, comment_id: int) -> str:
    assert client.post(f"/office/drafts/{draft_id}/analysis").status_code == 302
    run = queries.latest_run(draft_id)
    jobs.wait(run.id, timeout=120)
    db.session.commit()
    assert db.session.get(AnalysisRun, run.id).status == "done"
    return db.session.scalar(sa.select(AnalysisMember.stance).where(
        AnalysisMember.run_id == run.id, AnalysisMember.comment_id == comment_id))


def test_the_page_lists_the_cues_per_stance_and_the_negations(world, client, auth):
    auth.login(world.admin)
    page = client.get(URL).get_data(as_text=True)
    assert "Stance lexicon" in page and "举双手赞成" in page and "不赞成" in page and "修改为" in page
    assert "谈不上" in page and "不得不" in page  # a negation, a word that only looks like one
    assert "the lexicon shipped with Consult" in page
    assert "Analyses already done keep their stances until the comments are analysed again." in page
    admin_page = client.get("/admin/").get_data(as_text=True)
    assert URL in admin_page  # linked from the one administration navigation


def test_an_edited_lexicon_is_used_by_the_next_analysis_only(world, client, auth):
    draft_id = make_draft(world)
    comment = add_comment(draft_id, COMMENT)
    auth.login(world.editor)
    assert _stance_after_analysis(client, draft_id, comment.id) == "other"
    auth.login(world.admin)
    response = client.post(URL, data={"body": _with_support_cue("举旗")})
    assert response.status_code == 302
    assert "The next analysis of each draft uses it" in client.get(URL).get_data(as_text=True)
    assert _versions() == 1
    # The analysis already done keeps its stance until it is run again.
    done = queries.current_run(draft_id)
    assert db.session.scalar(sa.select(AnalysisMember.stance).where(
        AnalysisMember.run_id == done.id, AnalysisMember.comment_id == comment.id)) == "other"
    auth.login(world.editor)
    assert _stance_after_analysis(client, draft_id, comment.id) == "support"


def test_double_submit_saves_one_version_and_restoring_keeps_the_history(world, client, auth):
    auth.login(world.admin)
    edited = _with_support_cue("举旗")
    client.post(URL, data={"body": edited})
    client.post(URL, data={"body": edited.replace("\n", "\r\n")})  # the browser sends CRLF
    assert _versions() == 1
    assert client.post(f"{URL}/shipped").status_code == 302
    assert _versions() == 2 and lexicon.current_text() == shipped_text() and lexicon.current().shipped
    assert lexicon.current_lexicon().stance(COMMENT) == "其他"
    first = db.session.scalar(sa.select(sa.func.min(StanceLexicon.id)))
    client.post(f"{URL}/versions/{first}")
    assert _versions() == 3 and lexicon.current().body == edited and lexicon.current().restored_from_id == first
    assert lexicon.current_lexicon().stance(COMMENT) == "支持"
    page = client.get(URL).get_data(as_text=True)
    assert f"Version {first} restored" in page and "The shipped lexicon" in page
    assert client.post(f"{URL}/versions/999999").status_code == 404
    assert _versions() == 3


@pytest.mark.parametrize(("body", "message"), [
    ('[[stance]\nlabel = "支持"\n', "Line 1, column"),
    ('[[stance]]\nlabel = "支持"\ncues = ["好"\n', "cannot be read"),
    (shipped_text().replace('label = "支持"', 'label = "赞成派"'), "Unknown stance “赞成派”"),
    (shipped_text().replace('cues = [', 'cue = [', 1), "Unknown key “cue” in the stance 支持"),
    (shipped_text().replace("window = 4", 'window = "四"'), "window in [negation] must be a whole number"),
    ("", "Please enter the lexicon."),
])
def test_a_lexicon_that_cannot_be_read_is_refused_with_the_reason(world, client, auth, body, message):
    auth.login(world.admin)
    response = client.post(URL, data={"body": body})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _versions() == 0 and lexicon.current_text() == shipped_text()


def _without_cues(text: str, label: str) -> str:
    """``text`` with the strong and other cues of ``label`` emptied."""
    head, rest = text.split(f'label = "{label}"', 1)
    end = rest.find("[[stance]]")
    section, tail = (rest, "") if end < 0 else (rest[:end], rest[end:])
    kept = [line for line in section.split("\n[")[0].split("\n") if line.startswith("when_negated")]
    return f'{head}label = "{label}"\n' + "\n".join(kept) + '\nstrong = []\ncues = [" "]\n\n' + tail


def test_a_stance_without_cues_or_a_missing_stance_is_refused_and_nothing_is_saved(world, client, auth):
    auth.login(world.admin)
    client.post(URL, data={"body": _with_support_cue("举旗")})
    empty = _without_cues(shipped_text(), "反对")
    response = client.post(URL, data={"body": empty})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The stance 反对 has no cue phrases" in page
    missing = shipped_text().split('[[stance]]\nlabel = "建议修改"')[0]
    page = client.post(URL, data={"body": missing}).get_data(as_text=True)
    assert "The stance 建议修改 is missing" in page
    assert _versions() == 1 and lexicon.current_lexicon().stance(COMMENT) == "支持"


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_the_reasons_are_given_in_chinese(world, client, auth):
    auth.login(world.admin)
    page = client.post(URL, data={"body": _without_cues(shipped_text(), "反对")}).get_data(as_text=True)
    assert "立场“反对”没有提示词" in page
    page = client.post(URL, data={"body": '[[stance]\n'}).get_data(as_text=True)
    assert "第1行第" in page
    assert _versions() == 0


def test_only_an_admin_sees_or_edits_the_lexicon(world, client, auth):
    for user in (world.editor, world.officer):
        auth.login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, data={"body": _with_support_cue("举旗")}).status_code == 403
        assert client.post(f"{URL}/shipped").status_code == 403
    assert _versions() == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_an_edit_without_the_form_token_is_refused(world, client, auth):
    auth.login(world.admin)
    response = client.post(URL, data={"body": _with_support_cue("举旗")})
    assert response.status_code == 400
    client.post(URL, data={"body": shipped_text()})  # something to restore from
    assert client.post(f"{URL}/shipped").status_code == 400
    assert _versions() == 0
