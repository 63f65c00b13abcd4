"""The information-request kind, as disclosure registers it with the tracking engine: the law's policy
(条例 Art. 30 and 33), its labels and timeline actions, the panel of the staff submission page (applicant,
pause, the way to its own page) and what the applicant's status page shows."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from consult.disclosure.legal_basis import basis_for_request
from consult.disclosure.models import DELIVERY_LABELS, FORMAT_LABELS, DisclosureRequest
from consult.disclosure.outcomes import APPLICANT_LABELS
from consult.extensions import db
from consult.tracking import kind_details, kinds
from consult.tracking.documents import register_legal_basis
from consult.tracking.models import DISCLOSURE, Submission
from consult.tracking.policies import KindPolicy


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


# 政府信息公开条例 Art. 30 (补正 within 7 working days, restarts the clock) and Art. 33 (20 + 20).
kinds.register(kinds.Kind(
    DISCLOSURE,
    policy=KindPolicy(
        DISCLOSURE, "D", 20, "restart", max_extensions=1, max_extension_workdays=20, info_request_within=7,
    ),
    label=_l("Information request"),
    noun=lazy_pgettext("a submission", "request"),
    action_labels={
        "disclosure_paused": _l("Paused for a third party's opinion"),
        "disclosure_resumed": _l("Third party's opinion received"),
        "disclosure_outcome": _l("Outcome recorded"),
    },
    details=request_details,
    citizen_facts=request_facts,
))
register_legal_basis(DISCLOSURE, basis_for_request)
