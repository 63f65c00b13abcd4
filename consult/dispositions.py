"""How an official answers one view heard in public (意见采纳情况): a comment on a draft in the feedback
report, a speaker's statement in a hearing report. The codes are stored; the labels are what readers see."""

from flask_babel import lazy_gettext as _l

ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED, NOTED = "adopted", "partly_adopted", "not_adopted", "noted"
DISPOSITIONS = (ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED, NOTED)

DISPOSITION_LABELS = {
    ADOPTED: _l("Adopted"),
    PARTLY_ADOPTED: _l("Partly adopted"),
    NOT_ADOPTED: _l("Not adopted"),
    NOTED: _l("Noted"),
}
