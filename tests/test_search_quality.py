"""Search quality on a committed set of letters and queries (tests/data/search_quality.json): recall@10
is reported and must not fall below what was measured when the set was made."""

import json
from pathlib import Path

from tests.mailbox_support import file_letter

from consult.extensions import db
from consult.localtime import local_today
from consult.search.query import parse
from consult.tracking.models import STATUSES
from consult.tracking.queries import InboxFilters, inbox_listing

DATA = json.loads((Path(__file__).parent / "data" / "search_quality.json").read_text(encoding="utf-8"))
# Measured when the set was made: 0.985 (66 of 67 expected letters). The miss is honest: the square-dance
# letter says 太吵 and 音量过大, never 噪音 — word search knows no synonyms. Raise it when search gets better.
MEASURED_RECALL_AT_10 = 0.98


def test_recall_at_10_on_the_committed_queries(world, boxes):
    numbers = {}
    for key, (subject, body) in DATA["letters"].items():
        numbers[key] = file_letter(boxes.county, subject=subject, body=body, phone="", email="a@example.org",
                                   name="李四").submission.tracking_no
    assert len(DATA["queries"]) >= 50
    found_total, expected_total, misses = 0, 0, []
    for text, expected in DATA["queries"]:
        filters = InboxFilters(statuses=STATUSES, query=parse(text))
        stmt, order = inbox_listing(world.dept.id, local_today(), filters)
        top = [s.tracking_no for s in db.session.scalars(stmt.order_by(*order).limit(10))]
        hits = [key for key in expected if numbers[key] in top]
        found_total += len(hits)
        expected_total += len(expected)
        misses += [(text, key) for key in expected if key not in hits]
    recall = found_total / expected_total
    print(f"recall@10 = {recall:.3f} over {len(DATA['queries'])} queries; missed: {misses}")
    assert recall >= MEASURED_RECALL_AT_10, misses
