"""What the questionnaire pages share: the results with their charts, and the exports."""

from flask import Response as HttpResponse
from flask import abort, current_app, render_template, stream_with_context
from flask_babel import gettext as _
from markupsafe import Markup

from consult import exports
from consult.cache import worker_cache
from consult.i18n import current_locale_code
from consult.stats.charts import Series, bar_chart, percent
from consult.surveys import results
from consult.surveys.models import TEXT, Questionnaire

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rendered_results(questionnaire: Questionnaire, staff: bool) -> tuple[Markup, list[results.ResultQuestion]]:
    """Every question's counts as a section with its accessible SVG chart and data table (rendered once per
    counter version, locale and audience), and the questions a cross-tabulation can compare."""
    shown = results.question_results(questionnaire)
    charts = {}
    for n, result in enumerate(shown, 1):
        if result.question.kind == TEXT or not result.options:
            continue
        values = [o.share if o.share is not None else 0 for o in result.options]
        charts[result.question.id] = bar_chart(
            f"q{result.question.id}-chart", _("Question %(n)d", n=n),
            _("Share of the %(count)d people who answered the question choosing each option.", count=result.answered),
            [o.label if len(o.label) <= 12 else o.label[:11] + "…" for o in result.options],
            [Series(_("Share"), values)], fmt=percent, maximum=1)
    body = render_template("surveys/_results_questions.html", questionnaire=questionnaire, results=shown,
                           charts=charts, staff=staff)
    return Markup(body), results.choice_questions(shown)


def results_context(questionnaire: Questionnaire, rows_id: int | None, columns_id: int | None, *,
                    staff: bool) -> dict:
    """Per-question results with an accessible SVG chart each, and the cross-tabulation asked for.

    The sections come from the counters, rendered once per counter version (which moves with every
    response) and kept in the worker (consult.cache): a results page read again and again costs the
    questionnaire's row and, for a cross-tabulation, one small read of the pair counters."""
    key = ("survey-results", *results.counters_version(questionnaire), current_locale_code(), staff)
    cache = worker_cache("survey-results", current_app.config["CONSULT_STATS_CACHE_SECONDS"])
    body, choices = cache.get_or_compute(key, lambda: _rendered_results(questionnaire, staff))
    tab = results.crosstab(choices, rows_id, columns_id) if rows_id and columns_id else None
    return {"results_body": body, "crosstab": tab, "choice_questions": choices, "rows_id": rows_id,
            "columns_id": columns_id}


def export(questionnaire: Questionnaire, what: str, fmt: str) -> HttpResponse:
    """The counts table (``summary``) or one row per response (``responses``) as CSV or XLSX, through the
    one safe export writer."""
    if what == "summary":
        header = ["question", "prompt", "option", "count", "share"]
        rows = results.summary_rows(results.question_results(questionnaire))
    elif what == "responses":
        header, rows = results.export_header(questionnaire), results.export_rows(questionnaire)
    else:
        abort(404)
    name = f"questionnaire-{questionnaire.id}-{what}"
    if fmt == "csv":
        return HttpResponse(stream_with_context(exports.csv_chunks(rows, header)), mimetype="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        book = exports.workbook()
        sheet = book.active
        exports.append_row(sheet, header)
        for row in rows:
            exports.append_row(sheet, row)
        return HttpResponse(exports.workbook_bytes(book), mimetype=XLSX,
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    abort(404)
