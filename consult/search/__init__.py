"""Full-text search in Chinese: jieba tokens written at save time into an FTS5 table (SQLite) or a
``tsvector`` column with a GIN index (PostgreSQL), queried safely, ranked, highlighted and paginated.

* :mod:`consult.search.documents` — what is indexed (submissions, drafts) and how each record's index row
  is kept in step with it in the same transaction;
* :mod:`consult.search.schema` — the index tables of each database (created by migration and ``create_all``);
* :mod:`consult.search.query` — what a person typed → a :class:`~consult.search.query.SearchQuery`;
* :mod:`consult.search.matching` — a query → a ranked subquery any list can join;
* :mod:`consult.search.snippets` — highlighted excerpts;
* :mod:`consult.search.commands` — ``flask reindex``.
"""


def init_app(app) -> None:
    """Template filters: ``text|highlight(query, length)`` (an excerpt) and ``text|mark_matches(query)``."""
    from consult.search.snippets import highlight, mark

    app.add_template_filter(highlight, "highlight")
    app.add_template_filter(mark, "mark_matches")
