"""The main navigation, shown in ``base.html``; entries appear once their pages exist."""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.accounts.models import ADMIN, OFFICER, REVIEWER, STAFF_ROLES

# (endpoint, label, roles allowed or None for everyone)
NAV = (
    ("main.index", _l("Home"), None),
    ("drafts.index", _l("Drafts for comment"), None),
    ("mailbox.index", _l("Mailboxes"), None),
    ("events.index", _l("Open days"), None),
    ("disclosure.apply", _l("Request information"), None),
    ("tracking.lookup", _l("Track a submission"), None),
    ("stats.index", _l("Statistics"), None),
    ("tracking.my_submissions", _l("My submissions"), ("citizen",)),
    ("tracking.inbox", _l("Inbox"), (OFFICER, REVIEWER, ADMIN)),
    ("stats.dashboard", _l("Dashboard"), STAFF_ROLES),
    ("admin.index", _l("Administration"), (ADMIN,)),
)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def nav_items() -> list[NavItem]:
    """Navigation entries the current visitor may use."""
    items = []
    endpoints = current_app.view_functions
    for endpoint, label, roles in NAV:
        if endpoint not in endpoints:
            continue
        if roles is not None and not (current_user.is_authenticated and current_user.role in roles):
            continue
        blueprint = endpoint.split(".")[0]
        current = request.endpoint == endpoint or (
            endpoint != "main.index" and request.blueprint == blueprint
        )
        items.append(NavItem(url_for(endpoint), str(label), current))
    return items


def site_name() -> str:
    return current_app.config.get("CONSULT_SITE_NAME") or _("Consult · Public consultation")


def init_app(app) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, site_name=site_name)
