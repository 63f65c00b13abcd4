"""Helpers shared by the drafts views: loading a draft for staff, department and domain choices."""

from flask import abort, flash
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.departments import ordered_departments
from consult.drafts.domains import domain_choices, domain_label
from consult.drafts.models import Draft
from consult.drafts.services import may_see_in_office
from consult.extensions import db
from consult.i18n import current_locale_code


def get_draft_for_staff_or_404(draft_id: int) -> Draft:
    """The draft if the current user may see it in the office (drafts.services.may_see_in_office), else 404:
    before publication, staff of other departments do not learn that it exists."""
    draft = db.get_or_404(Draft, draft_id)
    if not may_see_in_office(current_user, draft):
        abort(404)
    return draft


def department_choices() -> list[tuple[int, str]]:
    locale = current_locale_code()
    departments = ordered_departments()
    return [(d.id, d.display_name(locale)) for d in departments]


def localized_domain_choices() -> list[tuple[str, str]]:
    return domain_choices(current_locale_code())


def localized_domain(code: str) -> str:
    return domain_label(code, current_locale_code())


def flash_saved() -> None:
    flash(_("Saved."), "success")
