"""Running an analysis as a job: on an RQ worker when ``REDIS_URL`` is set, else on a background thread.

Never inside a request: the request that asks for an analysis (or the daily ``remind`` when a questionnaire
has closed) only records a ``queued`` run and, after its commit, hands the run's id to :func:`dispatch`.
The job (:func:`run_analysis`) reads the items of the run's source (``sources``) in keyset
batches, runs ``consult.analysis.analyse`` and writes the units in short transactions under the run's own id
(``persist``), so a new comment never waits behind it for more than one small batch. Progress (step, counts,
heartbeat) is written to the run row as it goes; the page reads it.

With RQ, run a worker with ``rq worker consult-analysis --url "$REDIS_URL"`` (``consult.jobs``).
"""

import logging
import time
import traceback
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from consult import jobs
from consult.analysis import Parameters
from consult.analysis.memory import memory_mb
from consult.database import utcnow
from consult.extensions import db
from consult.workbench import lexicon, persist, sources
from consult.workbench.models import (
    ANALYSING, DONE, FAILED, QUEUED, READING, RUNNING, WRITING, AnalysisRun,
)  # fmt: skip

log = logging.getLogger(__name__)
READ_BATCH = 5000
# A running job that has given no sign of life for this long is taken for dead (its process ended):
# the page shows it as failed and offers a retry. One analyse() call of 1,000,000 comments gives none for
# up to 15 minutes on a crowded machine.
STALE_AFTER = timedelta(minutes=30)


def analyse(comments, **kwargs):
    """:func:`consult.analysis.analyse`, imported on the first run: a worker that never analyses does not
    load its libraries (see ``consult/analysis/__init__.py``)."""
    from consult.analysis import analyse as run_analysis

    return run_analysis(comments, **kwargs)


def dispatch(run_id: int) -> None:
    """Start the job of a committed ``queued`` run (``consult.jobs``: on RQ when configured, else a thread)."""
    jobs.start(run_analysis, run_id, description=f"Analyse comments or answers (run {run_id})")


def wait(run_id: int, timeout: float | None = None) -> None:
    """Wait for the background thread of a run started in this process (commands and tests)."""
    jobs.wait(run_analysis, run_id, timeout)


def run_analysis(run_id: int) -> str:
    """Analyse the items of a queued run (a draft's comments or a questionnaire's written answers) and publish
    its units; returns the run's final status.

    Any error marks the run ``failed`` with a short message and removes what it had written; the units
    of the previous run stay in place. Every write transaction begins with its write (on SQLite a read
    first would make the later write fail when a comment arrived in between), reads have their own.
    """
    run = db.session.get(AnalysisRun, run_id)
    if run is None or run.status != QUEUED:
        return run.status if run else "missing"
    source = sources.of_run(run)
    db.session.commit()
    started = time.perf_counter()
    memory = memory_mb("start")
    _progress(run_id, status=RUNNING, step=READING, started_at=utcnow())
    try:
        terms = source.terms()
        stance_lexicon = lexicon.current_lexicon()  # the admin's edited lexicon, else the shipped one
        db.session.commit()
        # The items stream in from the database batch by batch: the analysis keeps what it needs of them
        # and no list of every row is held beside it.
        parameters = current_app.config.get("ANALYSIS_PARAMETERS") or Parameters()
        known = persist.read_signatures(source.id, parameters.signature_key) if source.keeps_signatures else {}
        result = analyse(_read_items(run_id, source), terms=terms, lexicon=stance_lexicon,
                         parameters=parameters, signatures=known)
        del known
        mark = time.perf_counter()
        if source.keeps_signatures:  # only new texts are hashed next time
            persist.write_signatures(result.signatures, parameters.signature_key)
        result.signatures.clear()
        writing = {"write_signatures": round(time.perf_counter() - mark, 3)}
        mark = time.perf_counter()
        persist.write_units(run_id, result, heartbeat=lambda n: _progress(run_id, step=WRITING, done_count=n))
        writing["write_units"] = round(time.perf_counter() - mark, 3)
        seconds = dict(memory, **result.seconds, **writing, hashed=result.hashed)
        del result
        seconds.update(memory_mb("write"))
        seconds["job"] = round(time.perf_counter() - started, 3)
        persist.publish(run_id, source, seconds)
    except Exception as error:  # noqa: BLE001 -- any failure is shown on the run, never half-written
        db.session.rollback()
        log.error("analysis run %s failed:\n%s", run_id, traceback.format_exc())
        _progress(run_id, status=FAILED, finished_at=utcnow(), error=f"{type(error).__name__}: {error}"[:500])
        persist.discard(run_id)
        return FAILED
    persist.forget_older_runs(run_id, source)
    return DONE


def _read_items(run_id: int, source: sources.Source) -> Iterator[tuple[int, str | None, str]]:
    """Every item of the source (comments but those rejected at moderation, or written answers), read in
    keyset batches of :data:`READ_BATCH` (each in its own short read transaction) and yielded one by one.
    Once all are read, the run moves to its analysing step with the newest item it includes."""
    base = source.items()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    db.session.commit()
    _progress(run_id, total_count=total)
    read, last = 0, 0
    while True:
        batch = db.session.execute(base.where(source.item_id > last).order_by(source.item_id)
                                   .limit(READ_BATCH)).all()
        db.session.commit()
        if not batch:
            break
        last = batch[-1].id
        read += len(batch)
        for row in batch:
            yield row.id, row.anchor or None, row.text
        del batch
        if read % (READ_BATCH * 10) == 0:
            _progress(run_id, done_count=read)
    _progress(run_id, step=ANALYSING, done_count=0, last_comment_id=last)


def _progress(run_id: int, **values) -> None:
    """Record where the job is, in a transaction of its own that begins with the write."""
    db.session.execute(sa.update(AnalysisRun).where(AnalysisRun.id == run_id)
                       .values(heartbeat_at=utcnow(), **values))
    db.session.commit()


def is_stale(run: AnalysisRun, now=None) -> bool:
    """A queued or running run whose job has given no sign of life for :data:`STALE_AFTER`."""
    from consult.localtime import as_utc

    if run.status not in (QUEUED, RUNNING):
        return False
    last = run.heartbeat_at or run.requested_at
    return as_utc(now or utcnow()) - as_utc(last) > STALE_AFTER
