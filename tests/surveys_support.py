"""Shared set-up for the questionnaire tests: a questionnaire built, reviewed and opened through the services."""

import itertools
from datetime import timedelta

from consult.accounts.models import User
from consult.database import utcnow
from consult.extensions import db
from consult.surveys import responses, services
from consult.surveys.models import Questionnaire

_tokens = itertools.count(1)

# (kind, prompt, required, options, branch: (question index, option label) or None)
STANDARD = (
    ("single", "您是否赞成在社区设立政务公开专区？", True, ["是", "否"], None),
    ("text", "您为什么不赞成？", True, [], (0, "否")),
    ("multiple", "您希望专区公开哪些内容？", False, ["财政资金", "办事指南", "招聘信息"], None),
    ("scale", "您对目前的政务公开满意吗？", False, [], None),
    ("ranking", "请按重要程度排序", False, ["便民", "透明", "高效"], None),
)


def token() -> str:
    return f"form-token-{next(_tokens):08d}"


def make_questionnaire(w, *, status: str = "open", questions=STANDARD, answer_mode: str = "anonymous",
                       results_visibility: str = "public", draft_id: int | None = None) -> int:
    """A questionnaire of ``w.dept`` in ``status`` (draft, in_review, open), committed; returns its id."""
    editor, reviewer = db.session.get(User, w.editor.id), db.session.get(User, w.reviewer.id)
    opens_at = utcnow() - timedelta(hours=1)
    questionnaire = services.create_questionnaire(
        editor, title="社区政务公开专区问卷", intro="请花两分钟回答。", department_id=w.dept.id, draft_id=draft_id,
        opens_at=opens_at, closes_at=opens_at + timedelta(days=14), answer_mode=answer_mode,
        results_visibility=results_visibility)
    added = []
    for kind, prompt, required, options, branch in questions:
        branch_option = None
        if branch is not None:
            branch_option = next(o.id for o in added[branch[0]].options if o.label == branch[1])
        added.append(services.add_question(questionnaire, editor, kind=kind, prompt=prompt, required=required,
                                           options=options, branch_option_id=branch_option))
    if status in ("in_review", "open"):
        services.submit_for_review(questionnaire, editor)
    if status == "open":
        services.approve(questionnaire, reviewer)
    db.session.commit()
    return questionnaire.id


def ids(questionnaire_id: int) -> tuple[list[int], dict[str, int]]:
    """The question ids in order, and option id by label (labels are unique across STANDARD)."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    options = {o.label: o.id for q in questionnaire.questions for o in q.options if q.kind != "scale"}
    for q in questionnaire.questions:
        if q.kind == "scale":
            options.update({f"scale{o.label}": o.id for o in q.options})
    return [q.id for q in questionnaire.questions], options


def answer(questionnaire_id: int, raw: dict, **kwargs):
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    result = responses.submit_response(questionnaire, raw, form_token=kwargs.pop("form_token", None) or token(),
                                       **kwargs)
    db.session.commit()
    return result


def close(questionnaire_id: int) -> None:
    """Move the window into the past: the questionnaire is closed."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    questionnaire.opens_at = utcnow() - timedelta(days=20)
    questionnaire.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
