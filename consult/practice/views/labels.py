"""Labels of task and appeal states, for the pages."""

from flask_babel import lazy_gettext as _l

TASK_STATUS_LABELS = {"open": _l("Open"), "done": _l("Completed"), "withdrawn": _l("Withdrawn (appeal upheld)")}
APPEAL_STATUS_LABELS = {"pending": _l("Awaiting decision"), "upheld": _l("Upheld"), "rejected": _l("Rejected")}
