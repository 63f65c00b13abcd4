"""Demo drafts for ``seed-demo``: one open, one closed (being answered) and one with a published report, which
answered each of its comments not already answered by a reply (through the services, as a reviewer would).

The texts are written for the demo, modelled on county-level implementation plans; they are not real documents.
"""

from datetime import timedelta
from itertools import count

import sqlalchemy as sa

from consult.accounts.models import User
from consult.database import utcnow
from consult.drafts import comments, grouping, report, services
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from consult.tracking import services as tracking

OPEN_BODY = """为深入贯彻落实上级关于全面推进基层政务公开标准化规范化工作的部署，结合本县实际，制定本方案。

## 一、总体要求

第一条 坚持以人民为中心，以公开促落实、促规范、促服务，推动基层政府治理能力明显提升。

第二条 到年底，全县各乡镇（街道）全面建成政务公开专区，群众关切的重点领域信息做到应公开尽公开。

## 二、主要任务

第三条 各乡镇（街道）应当依据基层政务公开标准目录，编制本单位公开事项清单，并于每年三月底前更新。

第四条 涉及群众切身利益的重大决策，应当在决策前通过本平台向社会公开征求意见，征求意见期限一般不少于三十日。

第五条 在便民服务中心设立政务公开专区，提供政策查阅、政策咨询和意见建议收集服务，并配备适老化设施。

第六条 每年至少举办两次政务开放日活动，邀请人大代表、政协委员和群众代表走进机关。

## 三、保障措施

第七条 将政务公开工作纳入年度绩效考核，对工作不力的单位予以通报。
"""

OPEN_INTERPRETATION = """## 为什么制定本方案
近年来，群众对基层政务信息的需求日益增长，但部分乡镇公开内容不全、更新不及时。本方案旨在统一标准、补齐短板。

## 主要变化
- 明确公开事项清单的**编制和更新时间**；
- 要求重大决策**先征求意见、后作决定**；
- 政务公开专区增加**适老化**服务。
"""

CLOSED_BODY = """第一条 为规范城乡最低生活保障审核确认工作，根据有关规定，结合本县实际，制定本办法。

第二条 申请最低生活保障，以家庭为单位，由申请家庭确定一名共同生活的家庭成员作为申请人，向户籍所在地乡镇人民政府提出书面申请。

第三条 乡镇人民政府应当自受理申请之日起十五个工作日内完成家庭经济状况调查。

第四条 审核确认结果应当在申请人所在村（社区）公示七日，公示内容不得包含身份证号码、银行账号等个人隐私信息。

第五条 本办法自发布之日起施行。
"""

REPORTED_BODY = """第一条 为提高县级财政预决算公开质量，方便社会公众理解和监督，制定本规定。

第二条 县级部门预决算应当在县人民代表大会或者其常务委员会批准后二十日内向社会公开。

第三条 预决算公开应当同时公开“三公”经费安排和使用情况，并对增减变化作出说明。

第四条 鼓励以图表等通俗易懂的方式解读预决算。
"""

SAME = "建议政务公开专区延长周末开放时间，方便上班族办事。"
_tokens = count(1)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _make(editor, approver, departments, code, title, body, *, domain, days_ago, days, interpretation="", qa=()):
    start = utcnow() - timedelta(days=days_ago)
    draft = services.create_draft(
        editor, body=body, title=title, summary=body.splitlines()[0][:120], department_id=departments[code].id,
        domain=domain, legal_basis="《中华人民共和国政府信息公开条例》《重大行政决策程序暂行条例》",
        opens_at=start, closes_at=start + timedelta(days=days), short_window_reason="", premoderate=False,
        interpretation=interpretation,
    )
    services.set_qa_pairs(draft, list(qa))
    services.submit_for_review(draft, editor)
    services.approve_draft(draft, approver, now=start + timedelta(minutes=1))
    return draft


def _comment(draft, body, anchor=None, name="市民", at=None):
    return comments.submit_comment(
        draft, body=body, form_token=f"seed-comment-{draft.id:04d}-{next(_tokens):06d}", article_anchor=anchor, name=name,
        email=f"seed{next(_tokens)}@example.org", now=at or utcnow(),
    ).comment


def seed_drafts(departments) -> None:
    """Create the three demo drafts once (skipped when their titles exist)."""
    editor, admin = _user("editor@consult.localhost"), _user("admin@consult.localhost")
    if editor is None or admin is None:
        return
    title = "深化政务公开促进基层政府治理能力提升工作实施方案（征求意见稿）"
    if db.session.scalar(sa.select(Draft.id).where(Draft.title == title)) is not None:
        return
    open_draft = _make(editor, admin, departments, "XZFB", title, OPEN_BODY, domain="government_affairs",
                       days_ago=3, days=30, interpretation=OPEN_INTERPRETATION,
                       qa=[("本方案适用于哪些单位？", "全县各乡镇人民政府、街道办事处及县直有关部门。"),
                           ("群众如何参与？", "可在本平台对全文或具体条款发表意见，也可参加政务开放日。")])
    for body, anchor, name in [(SAME, "art-5", "张三"), (SAME, "art-5", "李四"),
                               ("第四条的三十日期限很好，建议明确紧急情况下的例外。", "art-4", "王五"),
                               ("希望专区配备老花镜和手写板。", "art-5", "赵六"), ("整体支持，期待落实。", None, "钱七")]:
        _comment(open_draft, body, anchor, name)

    closed = _make(editor, admin, departments, "MZJ", "县城乡最低生活保障审核确认办法（征求意见稿）", CLOSED_BODY,
                   domain="social_assistance", days_ago=40, days=35,
                   interpretation="本办法细化了低保审核确认的程序和时限，重点保护申请人隐私。")
    at = utcnow() - timedelta(days=20)
    for body, anchor in [("第三条的十五个工作日太长，建议缩短为十个工作日。", "art-3"),
                         ("第三条的十五个工作日太长了，建议缩短为十个工作日！", "art-3"),
                         ("公示七日时间合适，支持保护隐私。", "art-4")]:
        _comment(closed, body, anchor, "孙八", at=at)
    services.advance_drafts(utcnow())
    grouping.group_comments(closed.id)

    reported = _make(editor, admin, departments, "CZJ", "县级预决算公开管理规定（征求意见稿）", REPORTED_BODY,
                     domain="budgets", days_ago=70, days=30,
                     interpretation="规定明确了预决算公开的时限、内容和解读方式。")
    at = utcnow() - timedelta(days=60)
    made = [_comment(reported, "建议公开时限缩短为十日。", "art-2", "周九", at=at),
            _comment(reported, "建议把“三公”经费细化到具体项目。", "art-3", "吴十", at=at),
            _comment(reported, "支持用图表解读。", "art-4", "郑一", at=at)]
    services.advance_drafts(utcnow())
    grouping.group_comments(reported.id)
    db.session.expire_all()
    reported = db.session.get(Draft, reported.id)
    for comment, (disposition, reason) in zip(
        [db.session.get(Comment, c.id) for c in made],
        [("not_adopted", "二十日为上级规定的最长期限，各部门可提前公开。"),
         ("partly_adopted", "已在第三条增加按项目说明的要求，细化到具体项目的工作量较大，将逐步推进。"),
         ("adopted", "已在第四条中明确。")], strict=True):
        report.set_disposition(reported, [comment], disposition, reason, editor)
    officer, reviewer = _user("officer.czj@consult.localhost"), _user("reviewer.czj@consult.localhost")
    if officer is not None and reviewer is not None:
        reply = tracking.create_reply(officer, [db.session.get(Comment, made[2].id).submission],
                                      "感谢您的支持，我们已在规定中明确以图表方式解读预决算。")
        tracking.submit_reply(reply, actor=officer)
        tracking.approve_reply(reply, reviewer=reviewer)
    report.submit_report(reported, editor, "本次共收到意见3条，采纳1条，部分采纳1条，不予采纳1条。")
    # Published ten days after closing, before the comments' due date: each open comment is answered by it.
    report.approve_report(reported, admin, now=reported.closes_at + timedelta(days=10))
    db.session.flush()
