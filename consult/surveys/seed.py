"""Demo questionnaires for ``seed-demo``: one open and attached to the open demo draft, with per-article
questions, a branch and some responses; one closed earlier with its results published (idempotent:
recognised by their titles). The answers come from a seeded random generator, so every run is the same."""

import random
from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.drafts.models import Draft
from consult.extensions import db
from consult.surveys import responses, services
from consult.surveys.models import MULTIPLE, RANKING, SCALE, SINGLE, TEXT, Questionnaire

DRAFT_TITLE = "深化政务公开促进基层政府治理能力提升工作实施方案（征求意见稿）"
OPEN_TITLE = "基层政务公开专区建设意见问卷"
CLOSED_TITLE = "县政务服务中心延时服务满意度调查"
REASONS = ("离家太远，去一趟不方便。", "工作日没有时间，希望周末也能开放。", "网上能查到的就不用去专区了。",
           "希望专区配备老花镜和手写板，方便老年人。", "专区位置不好找，建议增加指示牌。")
SUGGESTIONS = ("希望周六上午也能办理社保业务。", "延时服务很方便，下班后也能办事。", "建议延时服务时段增加公积金窗口。",
               "排队叫号系统希望能在手机上查看。", "延时服务时段窗口太少，排队时间长。", "希望增加不动产登记的延时窗口。")


def _question(questionnaire, editor, kind, prompt, options=(), *, required=False, branch=None, anchor=""):
    return services.add_question(questionnaire, editor, kind=kind, prompt=prompt, options=list(options),
                                 required=required, branch_option_id=branch, article_anchor=anchor)


def _open_questionnaire(editor: User, approver: User, department: Department, draft: Draft | None) -> None:
    now = utcnow()
    questionnaire = services.create_questionnaire(
        editor, title=OPEN_TITLE, department_id=department.id, draft_id=draft.id if draft else None,
        intro="为做好基层政务公开专区建设，县人民政府办公室就《实施方案（征求意见稿）》中的专区建设条款征求意见。"
              "问卷约需两分钟，调查结果将在问卷结束后公布。",
        opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=28), answer_mode="anonymous",
        results_visibility="public")
    anchors = services.article_anchors(questionnaire)
    support = _question(questionnaire, editor, SINGLE, "您是否赞成在各乡镇（街道）便民服务中心设立政务公开专区？",
                        ["赞成", "不赞成", "说不清"], required=True, anchor="art-5" if "art-5" in anchors else "")
    against = next(o.id for o in support.options if o.label == "不赞成")
    why = _question(questionnaire, editor, TEXT, "您不赞成的主要原因是什么？", required=True, branch=against)
    topics = _question(questionnaire, editor, MULTIPLE, "您最希望在专区查阅哪些信息？",
                       ["财政资金使用", "惠民补贴发放", "办事指南", "重大项目进展", "招聘录用"])
    score = _question(questionnaire, editor, SCALE, "您对第四条规定的答复期限是否满意？",
                      anchor="art-4" if "art-4" in anchors else "")
    order = _question(questionnaire, editor, RANKING, "请按重要程度为以下建设要求排序",
                      ["方便查阅", "信息及时更新", "有工作人员讲解", "适老化设施"])
    services.submit_for_review(questionnaire, editor)
    services.approve(questionnaire, approver)
    rng = random.Random(20261202)
    for n in range(36):
        choice = rng.choices(support.options, weights=(7, 2, 1))[0]
        raw = {support.id: choice.id, topics.id: [o.id for o in rng.sample(topics.options, rng.randint(1, 3))],
               score.id: rng.choices(score.options, weights=(1, 1, 3, 5, 4))[0].id,
               order.id: {o.id: rank for rank, o in enumerate(rng.sample(order.options, 4), 1)}}
        if choice.id == against:
            raw[why.id] = rng.choice(REASONS)
        responses.submit_response(questionnaire, raw, form_token=f"demo-survey-open-{n:05d}")


def _closed_questionnaire(editor: User, approver: User, department: Department) -> None:
    now = utcnow()
    questionnaire = services.create_questionnaire(
        editor, title=CLOSED_TITLE, department_id=department.id, draft_id=None,
        intro="县政务服务中心试行工作日延时服务和周六上午服务三个月，现就服务效果开展满意度调查。",
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1), answer_mode="anonymous",
        results_visibility="public")
    used = _question(questionnaire, editor, SINGLE, "您是否在延时服务时段办理过业务？", ["办理过", "没有办理过"],
                     required=True)
    satisfied = _question(questionnaire, editor, SCALE, "您对延时服务的总体满意程度", branch=used.options[0].id)
    when = _question(questionnaire, editor, MULTIPLE, "您希望在哪些时段办理业务？",
                     ["工作日中午", "工作日下班后", "周六上午", "周日"])
    ideas = _question(questionnaire, editor, TEXT, "您对延时服务还有什么建议？")
    services.submit_for_review(questionnaire, editor)
    services.approve(questionnaire, approver)
    rng = random.Random(20261130)
    for n in range(60):
        first = rng.choices(used.options, weights=(3, 1))[0]
        raw = {used.id: first.id, when.id: [o.id for o in rng.sample(when.options, rng.randint(1, 2))]}
        if first.id == used.options[0].id:
            raw[satisfied.id] = rng.choices(satisfied.options, weights=(1, 1, 2, 5, 6))[0].id
        if rng.random() < 0.5:
            raw[ideas.id] = rng.choice(SUGGESTIONS)
        responses.submit_response(questionnaire, raw, form_token=f"demo-survey-closed-{n:05d}")
    questionnaire.opens_at, questionnaire.closes_at = now - timedelta(days=40), now - timedelta(days=10)
    db.session.flush()


def seed_questionnaires(departments: dict[str, Department]) -> None:
    """Create the demo questionnaires that do not exist yet."""
    editor = db.session.scalar(sa.select(User).where(User.email == "editor@consult.localhost"))
    approver = db.session.scalar(sa.select(User).where(User.email == "admin@consult.localhost"))
    if editor is None or approver is None:
        return
    titles = set(db.session.scalars(sa.select(Questionnaire.title).where(
        Questionnaire.title.in_([OPEN_TITLE, CLOSED_TITLE]))))
    if OPEN_TITLE not in titles:
        draft = db.session.scalar(sa.select(Draft).where(Draft.title == DRAFT_TITLE))
        _open_questionnaire(editor, approver, departments["XZFB"], draft)
    if CLOSED_TITLE not in titles:
        _closed_questionnaire(editor, approver, departments["XZFB"])
