"""An information request on the staff submission page: applicant, pause, and the way to its own page
(consult.tracking.kind_details)."""

from consult.disclosure.models import DisclosureRequest
from consult.disclosure.outcomes import APPLICANT_LABELS
from consult.extensions import db
from consult.tracking import kind_details
from consult.tracking.models import DISCLOSURE, Submission


def request_details(submission: Submission) -> kind_details.KindDetails | None:
    found = db.session.get(DisclosureRequest, submission.id)
    if found is None:
        return None
    return kind_details.KindDetails("disclosure/_staff_details.html",
                                    {"request": found, "applicant_labels": APPLICANT_LABELS})


kind_details.register(DISCLOSURE, request_details)
