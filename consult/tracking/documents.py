"""The citizen's printable documents of a tracked submission: the receipt (受理回执) and the reply letter
(答复意见书). Both are built here from the submission and rendered by :mod:`consult.documents`.

A kind adds what is special about it through :func:`register_legal_basis` (information requests name the
article of 政府信息公开条例 behind their outcome).
"""

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext

from consult.contacts import mask_name
from consult.documents.markdown import blocks_from_markdown
from consult.documents.model import Document, Facts, Heading, Paragraph
from consult.formats import format_day, format_moment
from consult.i18n import current_locale_code
from consult.localtime import local_date, local_today
from consult.text import excerpt
from consult.tracking import kind_details
from consult.tracking.deadlines import explain_due
from consult.tracking.labels import DAY_REASON_LABELS, HOLIDAY_LABELS, KIND_LABELS, kind_noun
from consult.tracking.models import Reply, Submission

RECEIVED_TEXT_LIMIT = 600  # characters of the citizen's text repeated on the receipt

# kind -> function(submission) returning the legal basis of its answer ("" when there is none)
_legal_basis: dict[str, Callable[[Submission], str]] = {}


def register_legal_basis(kind: str, provider: Callable[[Submission], str]) -> None:
    """Let a kind name the legal basis printed on its reply letters."""
    _legal_basis[kind] = provider


def legal_basis_for(submission: Submission) -> str:
    provider = _legal_basis.get(submission.kind)
    return provider(submission) if provider is not None else ""


def _department(submission: Submission) -> str:
    return submission.department.display_name(current_locale_code())


def _skipped_day(info) -> str:
    reason = str(DAY_REASON_LABELS.get(info.reason, info.reason))
    if info.name:
        reason = _("%(what)s (%(name)s)", what=reason, name=HOLIDAY_LABELS.get(info.name, info.name))
    return f"{format_day(info.day)} {reason}"


def due_date_paragraphs(submission: Submission) -> list[Paragraph]:
    """How the due date was computed, as the status page says it: start, window, extension, skipped days."""
    explanation = explain_due(submission)
    if explanation.extension_workdays:
        text = _("Counting starts the day after %(start)s: %(window)s working days, plus %(days)s working days "
                 "of approved extension — due on %(due)s.", start=format_day(explanation.clock_start_on),
                 window=explanation.window_workdays, days=explanation.extension_workdays,
                 due=format_day(explanation.due_on))
    else:
        text = _("Counting starts the day after %(start)s: %(window)s working days — due on %(due)s.",
                 start=format_day(explanation.clock_start_on), window=explanation.window_workdays,
                 due=format_day(explanation.due_on))
    paragraphs = [Paragraph.of(text)]
    if explanation.skipped:
        days = _("; ").join(_skipped_day(info) for info in explanation.skipped)
        paragraphs.append(Paragraph.of(_("Days not counted: %(days)s.", days=days)))
    else:
        paragraphs.append(Paragraph.of(_("No weekend or holiday fell within the period.")))
    if explanation.makeup_days:
        days = _("; ").join(_skipped_day(info) for info in explanation.makeup_days)
        paragraphs.append(Paragraph.of(_("Make-up working days that counted: %(days)s.", days=days)))
    if explanation.estimated:
        paragraphs.append(Paragraph.of(_(
            "Estimated: the State Council has not yet published the holiday arrangement for part of this period, "
            "so Monday to Friday were counted as working days, except the public holidays fixed by law. The due "
            "date may change when the arrangement is published.")))
    return paragraphs


def receipt_document(submission: Submission, query_code: str | None = None) -> Document:
    """The receipt (受理回执): tracking number, what was received, the due date and how it was computed, and
    how to look the submission up. ``query_code`` only when it is printed at submission time."""
    department = _department(submission)
    document = Document(
        title=_("Acknowledgement of receipt"), department=department, issued_on=local_date(submission.received_at),
        letterhead=True, subject=_("Acknowledgement of receipt %(no)s", no=submission.tracking_no),
    )
    noun = kind_noun(submission)
    document.add(Paragraph.of(_("Your %(noun)s has been received and registered under the number below. This "
                                "receipt confirms what we received and when you can expect an answer.", noun=noun)))
    facts = [(_("Tracking number"), submission.tracking_no)]
    if query_code:
        facts.append((_("Query code"), query_code))
    facts += [
        (_("Kind"), str(KIND_LABELS[submission.kind])),
        (_("Handled by"), department),
        (pgettext("date", "Received"), format_moment(submission.received_at)),
        (_("Answer due by"), format_day(submission.due_on)
         + (" " + _("(estimated)") if submission.estimated_due else "")),
    ]
    facts += [(str(fact.label), str(fact.value)) for fact in kind_details.citizen_facts_for(submission) if fact.value]
    if submission.subject:
        facts.append((_("Subject"), submission.subject))
    document.add(Facts(facts))
    document.add(Heading(_("What we received"), 1),
                 Paragraph.of(excerpt(submission.body, RECEIVED_TEXT_LIMIT) if len(submission.body) > RECEIVED_TEXT_LIMIT
                              else submission.body, align="left"))
    document.add(Heading(_("How the due date was computed"), 1), *due_date_paragraphs(submission))
    lookup = url_for("tracking.lookup", _external=True)
    document.add(Heading(_("How to follow it"), 1))
    if query_code:
        document.add(Paragraph.of(_("Open %(url)s and enter the tracking number and the query code above to see "
                                    "the status and read the answer. Keep the query code safe: it is shown only "
                                    "once and anyone who has it can read your %(noun)s.", url=lookup, noun=noun)))
    else:
        document.add(Paragraph.of(_("Open %(url)s and enter the tracking number with the query code you were "
                                    "given when you sent it (it is also in the confirmation e-mail) to see the "
                                    "status and read the answer.", url=lookup)))
    return document


def reply_document(submission: Submission, reply: Reply, *, published: bool | None = None) -> Document:
    """The reply letter (答复意见书) of an approved answer: addressee (masked where the answer is published),
    the answer, the legal basis where the kind has one, the answering department and the date."""
    published = submission.is_public if published is None else published
    department = reply.department.display_name(current_locale_code())
    answered_on = local_date(reply.reviewed_at) if reply.reviewed_at else local_today()
    document = Document(
        title=_("Reply letter"), department=department, issued_on=answered_on, letterhead=True,
        subtitle=_("Tracking number: %(no)s", no=submission.tracking_no),
        subject=_("Reply to %(no)s", no=submission.tracking_no),
    )
    name = submission.submitter_name
    addressee = (mask_name(name) if published else name) if name else ""
    document.add(Paragraph.of(_("Hello %(name)s,", name=addressee) if addressee else _("Hello,"), align="left"))
    document.add(Paragraph.of(_("We received your %(noun)s on %(day)s (tracking number %(no)s). Our answer:",
                                noun=kind_noun(submission), day=format_day(submission.received_at),
                                no=submission.tracking_no)))
    document.add(*blocks_from_markdown(reply.body, heading_level=2))
    basis = legal_basis_for(submission)
    if basis:
        document.add(Paragraph.of(_("Legal basis: %(basis)s", basis=basis)))
    document.add(Paragraph.of(_("If the answer does not resolve your matter, you can say so when you rate it on the "
                                "status page (tracking number %(no)s).", no=submission.tracking_no)))
    return document
