"""The tracking engine: every submission answered by a due date in working days (DESIGN.md §2–3).

Views and other domains use :mod:`consult.tracking.services`, which re-exports the public functions of
the modules below. ``flask --app consult remind`` (consult/cli.py) runs the reminders.
"""
