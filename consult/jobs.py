"""Long work outside the request: on an RQ worker when ``REDIS_URL`` is set, else on a thread of this process.

A request that asks for long work (analysing a draft's comments, publishing a feedback report) records a
row saying so (``queued``), commits, and only then calls :func:`start` with the job's function and the row's
id. The job finds everything it needs in that row; it runs in its own application context and session, and
records its progress and outcome on the row, which the page reads. Both kinds go to one RQ queue
(``ANALYSIS_RQ_QUEUE``, default ``consult-analysis``), served by ``rq worker consult-analysis --url "$REDIS_URL"``.
"""

import threading
from collections.abc import Callable
from importlib import import_module

from flask import Flask, current_app, has_app_context

from consult.extensions import db

QUEUE_NAME = "consult-analysis"
JOB_TIMEOUT_SECONDS = 3 * 3600

Job = Callable[[int], str]

_threads: dict[tuple[str, int], threading.Thread] = {}
_worker_app = None


def _name(job: Job) -> str:
    return f"{job.__module__}:{job.__qualname__}"


def start(job: Job, job_id: int, *, description: str) -> None:
    """Run ``job(job_id)`` (a module-level function returning its final status) outside this request: on RQ
    when configured, else on a daemon thread of this process. Call it after the commit that recorded the job."""
    app = current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(app.config.get("ANALYSIS_RQ_QUEUE", QUEUE_NAME), connection=Redis.from_url(url))
        queue.enqueue_call(in_application, kwargs={"job": _name(job), "job_id": job_id},
                           timeout=JOB_TIMEOUT_SECONDS, result_ttl=86400, description=description)
        return
    key = (_name(job), job_id)
    thread = threading.Thread(target=_run_in_thread, args=(app, job, job_id), name=f"{job.__name__}-{job_id}",
                              daemon=True)
    _threads[key] = thread
    thread.start()


def wait(job: Job, job_id: int, timeout: float | None = None) -> None:
    """Wait for the thread of a job started in this process (commands and tests)."""
    key = (_name(job), job_id)
    thread = _threads.get(key)
    if thread is not None:
        thread.join(timeout)
        if not thread.is_alive():
            _threads.pop(key, None)


def _run_in_thread(app: Flask, job: Job, job_id: int) -> None:
    """A thread has no app context and no session of its own: make both, and always release the session."""
    with app.app_context():
        try:
            job(job_id)
        finally:
            db.session.remove()


def in_application(job: str, job_id: int) -> str:
    """The RQ job: ``job`` ("module:function") inside an application (one per worker process)."""
    module, _, name = job.partition(":")
    function = getattr(import_module(module), name)
    if has_app_context():  # e.g. a SimpleWorker inside an application (tests)
        try:
            return function(job_id)
        finally:
            db.session.remove()
    global _worker_app
    if _worker_app is None:
        from consult import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        try:
            return function(job_id)
        finally:
            db.session.remove()
