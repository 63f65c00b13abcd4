"""Results for staff: as they stand while open, internal ones after closing, free-text answers by topic
(with redacted examples), and the exports."""

from flask import abort, render_template
from flask_login import current_user

from consult.surveys import results
from consult.surveys.models import TEXT
from consult.surveys.transitions import allowed_actions
from consult.surveys.views import bp
from consult.surveys.views.common import export, results_context
from consult.surveys.views.office import get_for_staff_or_404, staff_required
from consult.urls import int_arg


def _results_or_404(questionnaire_id: int):
    questionnaire = get_for_staff_or_404(questionnaire_id)
    if "results" not in allowed_actions(current_user, questionnaire):
        abort(404)
    return questionnaire


@bp.get("/office/questionnaires/<int:questionnaire_id>/results")
@staff_required
def office_results(questionnaire_id: int):
    """The results from the counters, charts with tables, and a cross-tabulation of two choice questions."""
    questionnaire = _results_or_404(questionnaire_id)
    context = results_context(questionnaire, int_arg("rows"), int_arg("columns"), staff=True)
    return render_template("surveys/results.html", questionnaire=questionnaire, staff=True, **context)


@bp.get("/office/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/topics")
@staff_required
def office_topics(questionnaire_id: int, question_id: int):
    """A free-text question's answers by topic, with a few redacted examples of each."""
    questionnaire = _results_or_404(questionnaire_id)
    question = next((q for q in questionnaire.questions if q.id == question_id and q.kind == TEXT), None)
    if question is None:
        abort(404)
    return render_template("surveys/topics.html", questionnaire=questionnaire, staff=True,
                           summary=results.text_summary(question, examples=True))


@bp.get("/office/questionnaires/<int:questionnaire_id>/<any(summary, responses):what>.<any(csv, xlsx):fmt>")
@staff_required
def office_export(questionnaire_id: int, what: str, fmt: str):
    """The counts table or one row per response (no personal data; typed texts redacted)."""
    return export(_results_or_404(questionnaire_id), what, fmt)
