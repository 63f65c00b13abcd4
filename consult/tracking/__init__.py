"""The tracking engine: every submission answered by a due date in working days (DESIGN.md §2–3).

Views and other domains use :mod:`consult.tracking.services`, which re-exports the public functions of
the modules below. ``consult.tracking.reminders.init_cli(app)`` registers ``flask --app consult remind``.
"""
