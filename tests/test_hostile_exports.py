"""Every CSV and XLSX download, walked with formulas typed into everything people can type: no cell of any
export may reach a spreadsheet program as a formula. New export routes are found from the URL map, so the
next export is covered without touching this file (unless it needs data the world below does not make).
On SQLite only: the cells are escaped in Python, after the database; the exports' queries run on both
databases in their own tests (test_exports.py and the domains')."""

import csv
import io
import re

import pytest
from tests.api_support import API, bearer, token_for
from tests.drafts_support import add_comment, close_now, make_draft
from tests.hostile_payloads import FORMULAS, FORMULA_PREFIXES
from openpyxl import load_workbook

from consult.accounts.models import Department, User
from consult.disclosure.figures import save_figures
from consult.drafts import report
from consult.drafts.models import Comment, Draft
from consult.events import allocation, hearings
from consult.events.models import Event
from consult.extensions import db
from consult.localtime import local_today

pytestmark = [pytest.mark.usefixtures("request_ctx"), pytest.mark.sqlite_only]

EXPORT_RULE = re.compile(r"\.(csv|xlsx|<fmt>)$")


def _hostile_world(world) -> dict:
    """A published feedback report, an open day, a department and the year's report notes, all full of formulas."""
    from tests.api_support import make_event

    draft_id = make_draft(world)
    made = [add_comment(draft_id, formula, name=formula[:20]) for formula in FORMULAS]
    close_now(draft_id)
    draft, editor = db.session.get(Draft, draft_id), db.session.get(User, world.editor.id)
    report.set_disposition(draft, [db.session.get(Comment, c.id) for c in made], "noted", FORMULAS[0], editor)
    report.submit_report(draft, editor, FORMULAS[1])
    report.approve_report(draft, db.session.get(User, world.reviewer.id))
    event_id = make_event(world.dept.id, capacity=50, require_phone=False, require_email=False)
    for formula in FORMULAS:
        allocation.register(event_id, name=formula[:40], email="")
    hearing_id = make_event(world.dept.id, capacity=50, event_type="hearing", require_phone=False,
                            require_email=False)
    hearings.set_category_seats(db.session.get(Event, hearing_id), {"resident": 50})
    for n, formula in enumerate(FORMULAS):
        hearings.apply_to_speak(hearing_id, name=formula[:40], category="resident", statement=formula,
                                email=f"speaker{n}@example.org", form_token=f"hostile-speaker-token-{n:04d}")
    db.session.add(Department(code="=D", name=FORMULAS[0], name_en=FORMULAS[2], contact_email="d@example.org"))
    save_figures(local_today().year, None, {}, "\n".join(FORMULAS), actor=db.session.get(User, world.admin.id))
    db.session.commit()
    return {"draft_id": draft_id, "event_id": event_id, "hearing_id": hearing_id, "fmt": "csv"}


def _cells(response) -> tuple[list[str], list[str]]:
    """Every cell of a CSV or XLSX download as text, and the cells a spreadsheet program would run.

    A CSV cell runs when it begins with = + - @, a tab or a carriage return; an XLSX cell only when it is
    stored as a formula (text beginning with "=" is inert there).
    """
    if response.mimetype == "text/csv":
        text = response.get_data(as_text=True).lstrip("\ufeff")
        cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
        return cells, [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]
    book = load_workbook(io.BytesIO(response.get_data()))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    return [str(cell.value) for cell in cells], [str(cell.value) for cell in cells if cell.data_type == "f"]


# Exports of a hearing's own (an open day has no speakers: 404):
HEARING_ONLY = {"events.export_speakers"}
# Figures, no typed text of this world:
COUNTS_ONLY = {"drafts.report_figures_export", "practice.compliance_summary_csv", "api.monthly_summary_csv"}


def test_no_export_hands_out_a_formula(app, client, auth, world):
    values = _hostile_world(world)
    auth.login(world.admin)
    # Spreadsheets and CSV/JSON data; the Word and PDF documents (``*_document`` endpoints) are read back in
    # tests/test_documents_*.py.
    exports = [rule for rule in app.url_map.iter_rules()
               if EXPORT_RULE.search(rule.rule) and not rule.endpoint.endswith("_document")]
    assert {rule.endpoint for rule in exports} >= {
        "drafts.export", "drafts.export_public", "events.export", "stats.csv", "disclosure.report_csv",
        "disclosure.report_xlsx"}
    api_token = bearer(token_for(world.admin))  # the JSON API's downloads take a token, not the session
    for rule in exports:
        given = {**values, "event_id": values["hearing_id"]} if rule.endpoint in HEARING_ONLY else values
        url = rule.build({arg: given[arg] for arg in rule.arguments}, append_unknown=False)[1]
        with client.get(url, headers=api_token if url.startswith(API) else {}) as response:
            assert response.status_code == 200, url
            cells, runnable = _cells(response)
        assert runnable == [], url
        if rule.endpoint in COUNTS_ONLY:
            continue  # numbers only: no typed text can reach it
        shown = {cell.lstrip("'") for cell in cells} | {line.lstrip("'") for cell in cells for line in cell.splitlines()}
        assert any(formula.strip() in shown or formula[:20] in shown for formula in FORMULAS), url  # data got there
