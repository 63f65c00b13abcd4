"""An information request on the staff submission page: applicant, pause, and the way to its own page
(consult.tracking.kind_details)."""

from flask_babel import gettext as _

from consult.disclosure.legal_basis import basis_for_request
from consult.disclosure.models import DELIVERY_LABELS, FORMAT_LABELS, DisclosureRequest
from consult.disclosure.outcomes import APPLICANT_LABELS
from consult.extensions import db
from consult.tracking import kind_details
from consult.tracking.documents import register_legal_basis
from consult.tracking.models import DISCLOSURE, Submission


def request_details(submission: Submission) -> kind_details.KindDetails | None:
    found = db.session.get(DisclosureRequest, submission.id)
    if found is None:
        return None
    return kind_details.KindDetails("disclosure/_staff_details.html",
                                    {"request": found, "applicant_labels": APPLICANT_LABELS})


def request_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    found = db.session.get(DisclosureRequest, submission.id)
    if found is None:
        return []
    return [kind_details.CitizenFact(_("Format"), str(FORMAT_LABELS.get(found.preferred_format, ""))),
            kind_details.CitizenFact(_("How you want to receive it"), str(DELIVERY_LABELS.get(found.delivery, "")))]


kind_details.register(DISCLOSURE, request_details)
kind_details.register_citizen_facts(DISCLOSURE, request_facts)
register_legal_basis(DISCLOSURE, basis_for_request)
