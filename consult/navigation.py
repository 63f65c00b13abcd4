"""The main navigation, shown in ``base.html``; entries appear once their pages exist."""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.accounts.models import ADMIN, OFFICER, REVIEWER, STAFF_ROLES

# (endpoint, label, roles allowed or None for everyone, the URL paths that belong to the entry). A page
# highlights the one entry whose path is the longest that starts its URL, so exactly one entry (or none,
# e.g. on the login page) is current.
NAV = (
    ("main.index", _l("Home"), None, ("/",)),
    ("drafts.index", _l("Drafts for comment"), None, ("/drafts", "/office/drafts")),
    ("mailbox.index", _l("Mailboxes"), None, ("/mailboxes",)),
    ("events.index", _l("Open days and hearings"), None, ("/events",)),
    ("surveys.index", _l("Questionnaires"), None, ("/questionnaires", "/office/questionnaires")),
    ("interviews.index", _l("Online interviews"), None, ("/interviews", "/office/interviews")),
    ("disclosure.apply", _l("Request information"), None, ("/disclosure", "/office/disclosure")),
    ("tracking.lookup", _l("Track a submission"), None, ("/track",)),
    ("stats.index", _l("Statistics"), None, ("/stats", "/stats.csv")),
    ("tracking.my_submissions", _l("My submissions"), ("citizen",), ("/my/submissions",)),
    ("tracking.inbox", _l("Inbox"), (OFFICER, REVIEWER, ADMIN),
     ("/office/inbox", "/office/submissions", "/office/replies", "/office/review", "/office/extensions",
      "/office/reply-templates", "/office/rectifications", "/office/appeals")),
    ("stats.dashboard", _l("Dashboard"), STAFF_ROLES, ("/office/dashboard",)),
    ("main.admin", _l("Administration"), (ADMIN,), ("/admin",)),
)

# The one administration navigation, shown on /admin and on every admin page. Each domain's admin pages live
# in its own views/admin.py; a new one is linked by adding its entry here: (endpoint, label, the endpoints
# of the pages that belong to the entry).
ADMIN_NAV = (
    ("accounts.departments", _l("Departments"), ("accounts.departments", "accounts.edit_department")),
    ("accounts.users", _l("Staff accounts"), ("accounts.users", "accounts.new_user", "accounts.edit_user")),
    ("notify.outbox", _l("Outgoing mail"), ("notify.outbox", "notify.message")),
    ("notify.sms_settings", _l("Text messages"), ("notify.sms_settings",)),
    ("events.manage", _l("Open days"), ()),
    ("interviews.admin_list", _l("Online interviews"), ("interviews.admin_list", "interviews.edit")),
    ("mailbox.admin_list", _l("Mailboxes"), ("mailbox.admin_list", "mailbox.admin_edit")),
    ("tracking.calendar", _l("Working-day calendar"), ("tracking.calendar",)),
    ("drafts.manage", _l("Drafts for comment"), ()),
    ("surveys.manage", _l("Questionnaires"), ()),
    ("drafts.sensitive_words", _l("Sensitive words"), ("drafts.sensitive_words",)),
    ("workbench.lexicon_page", _l("Stance lexicon"), ("workbench.lexicon_page",)),
    ("open311_admin.keys_page", _l("Open311 keys"), ("open311_admin.keys_page",)),
    ("practice.compliance_board", _l("Compliance self-check"),
     ("practice.compliance_board", "practice.compliance_rule", "practice.compliance_summary")),
    ("practice.admin_appeals", _l("Rating appeals"), ("practice.admin_appeals",)),
    ("practice.settings", _l("Ratings and response settings"), ("practice.settings",)),
    ("disclosure.report", _l("Annual openness report"), ()),
)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def _covers(prefix: str, path: str) -> bool:
    """Whether ``path`` is the page ``prefix`` or one below it (``/drafts`` covers ``/drafts/3``)."""
    return path == prefix or (prefix != "/" and path.startswith(prefix.rstrip("/") + "/"))


def current_endpoint(path: str, entries=NAV) -> str | None:
    """The endpoint of the navigation entry the page at ``path`` belongs to, or None."""
    matches = [(len(prefix), endpoint) for endpoint, _label, _roles, prefixes in entries
               for prefix in prefixes if _covers(prefix, path)]
    return max(matches)[1] if matches else None


def nav_items() -> list[NavItem]:
    """Navigation entries the current visitor may use; the one the page belongs to is marked current."""
    items = []
    endpoints = current_app.view_functions
    current = current_endpoint(request.path)
    for endpoint, label, roles, _prefixes in NAV:
        if endpoint not in endpoints:
            continue
        if roles is not None and not (current_user.is_authenticated and current_user.role in roles):
            continue
        items.append(NavItem(url_for(endpoint), str(label), endpoint == current))
    return items


def admin_nav_items() -> list[NavItem]:
    """The administration navigation; the entry the current page belongs to is marked current."""
    endpoints = current_app.view_functions
    return [NavItem(url_for(endpoint), str(label), request.endpoint in pages)
            for endpoint, label, pages in ADMIN_NAV if endpoint in endpoints]


def site_name() -> str:
    return current_app.config.get("CONSULT_SITE_NAME") or _("Consult · Public consultation")


def init_app(app) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, admin_nav_items=admin_nav_items, site_name=site_name)
