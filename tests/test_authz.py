"""Every protected page is walked with every role: wrong roles get 403, anonymous visitors log in first.

SQLite only (``sqlite_only``): who may open a page is decided in Python before the page asks the database
anything (``role_required`` compares the logged-in user's role with the view's roles; ``login_required`` sends
anonymous visitors to the login page), and the routes are read from the URL map, so a PostgreSQL run of these
walks (9-24 s each) proves nothing the SQLite run does not. Pages with real data, as every role, on both
databases: tests/test_get_writes.py; department scoping on both: the domains' own tests.
"""

import re

import pytest

from consult.accounts.models import ROLES

pytestmark = pytest.mark.sqlite_only

# Pages anyone may open. Every other endpoint must declare its roles with role_required.
PUBLIC_ENDPOINTS = {
    "static",
    "main.index",
    "main.healthz",
    "accounts.login",
    "accounts.register",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.registration_sent",
    "accounts.finish_registration",
    "accounts.logout",
    # Signing in with a phone and an SMS code; a lost query code sent to the submission's own contact.
    "accounts.phone_sign_in",
    "accounts.phone_code",
    "tracking.new_code",
    # The SMS gateway's reply callback: signed with SMS_INBOUND_SECRET, absent without it.
    "notify.inbound",
    "prefs.set_language",
    "prefs.choose_language",
    "prefs.choose_text_size",
    # Open days: public pages, and the registrant's own pages behind a secret link or a signed token.
    "events.index",
    "events.detail",
    "events.calendar",
    "events.register",
    "events.registration",
    "events.cancel_registration",
    "events.qr_code",
    "events.question",
    "events.question_sent",  # the receipt after an open-day question, reached through the registration's token
    "events.materials",  # an event's materials for attendees: a signed key checked against the seat, else 404
    # Questionnaires: the open ones are answered by guests (rate-limited); results only once published.
    "surveys.index",
    "surveys.show",
    "surveys.answer",
    "surveys.thanks",
    "surveys.published_results",
    "surveys.published_topics",
    "surveys.published_export",
    "api.list_questionnaires",
    "api.get_questionnaire",
    "api.create_questionnaire_response",
    "api.get_questionnaire_results",
    "events.speak",  # applying to speak at a hearing: open to guests (rate-limited), like registering
    "events.hearing_record",
    "interviews.index",
    "interviews.detail",
    "interviews.ask",
    "interviews.stream",
    # Drafts for comment: public pages; commenting and reporting are open to guests (rate-limited).
    "drafts.index",
    "drafts.detail",
    "drafts.versions_page",
    "drafts.comment",
    "drafts.comment_thanks",
    "drafts.report_comment",
    "drafts.feedback_report",
    "drafts.report_figures_export",  # the published report's counts, no personal data
    "drafts.export_public",
    "drafts.report_document",
    # Mailboxes: public pages; writing a letter is open to guests (rate-limited).
    "mailbox.index",
    "mailbox.letters",
    "mailbox.show",
    "mailbox.letter",
    "mailbox.write",
    "mailbox.thanks",
    "mailbox.write_similar",  # the no-script step "find similar answered letters" (writes nothing)
    "mailbox.similar_answers_json",  # the same, as the letter form types (writes nothing)
    # Tracking: the status lookup by tracking number + query code, the page it leads to, rating and
    # answering requests for information (access proven by the code in the session or a signed token).
    "tracking.lookup",
    "tracking.status",
    "tracking.short_link",  # the short link in text messages: a redirect to the status page
    "tracking.rate_submission",
    "tracking.provide_info",
    "tracking.rate",
    # The receipt and the reply letter as PDF: the same access as the status page (or the confirmation just shown).
    "tracking.receipt_pdf",
    "tracking.reply_pdf",
    # Information requests: the public request form (rate-limited) and its confirmation.
    "disclosure.apply",
    "disclosure.thanks",
    # Statistics (政务公开) and Open311: public; filing through Open311 needs an api_key, not a login.
    "stats.index",
    "stats.csv",
    "open311.discovery",
    "open311.service_list",
    "open311.service_definition",
    "open311.request_list",
    "open311.create_request",
    "open311.request_detail",
    "open311.token",
    # File downloads: the owning feature's access check decides (private files answer 404).
    "uploads.download",
    # JSON API (/api/v1): public endpoints are anonymous; the officer endpoints (api.inbox,
    # api.office_submission, api.create_reply, api.transfer) never use the session: a bearer token is
    # checked by consult.api.tokens.token_required, and tests/test_api_office.py walks them with every role.
    "api.openapi_document",
    "api.list_drafts",
    "api.get_draft",
    "api.list_draft_comments",
    "api.get_draft_report",
    "api.create_draft_comment",
    "api.create_letter",
    "api.list_mailboxes",
    "api.get_submission",
    "api.list_events",
    "api.list_interviews",
    "api.get_interview",
    "api.create_interview_question",
    "api.create_registration",
    "api.create_speaker_application",
    "api.get_selection_record",
    "api.get_hearing_record",
    "api.get_stats",
    "api.inbox",
    "api.office_submission",
    "api.create_reply",
    "api.transfer",
    # 好差评: the citizen's rating with the query code; officers' rectification tasks and appeals take a
    # bearer token (tests/test_practice_api.py walks them with every role).
    "api.rate_submission",
    "api.rectifications",
    "api.rectification_task",
    "api.record_follow_up",
    "api.complete_rectification",
    "api.appeal_rating",
    "api.department_appeals",
    "api.office_appeal",
    "api.dashboard",
    # Administrators' endpoints take an admin's bearer token (tests/test_practice_api.py walks them with every
    # role): appeal decisions, the compliance self-check and monthly summary, the holiday notice.
    "api.admin_appeals",
    "api.decide_appeal",
    "api.compliance_board",
    "api.compliance_rule",
    "api.monthly_summary_json",
    "api.monthly_summary_csv",
    "api.preview_holiday_notice",
    "api.apply_holiday_notice",
}
# Pages for any logged-in user, whatever the role.
LOGIN_ONLY_ENDPOINTS = {"accounts.logout", "accounts.session_list", "accounts.end_session",
                        "accounts.end_other_sessions", "accounts.change_password"}


def protected_routes(app):
    """(endpoint, url, method, roles) for every rule guarded by role_required."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if roles is None:
            continue
        url = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule.rule)  # a choice in the path: its first value
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "999999", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, url, method, roles))
    return routes


def test_every_route_is_public_by_choice_or_protected(app):
    unguarded = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "required_roles", None) is None
    }
    assert unguarded - PUBLIC_ENDPOINTS - LOGIN_ONLY_ENDPOINTS == set()


def test_anonymous_visitors_are_sent_to_login(app, client):
    for endpoint, url, method, _roles in protected_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method)
        assert "/account/login" in response.location


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_its_pages(app, client, auth, make_user, make_department, role):
    department = make_department()
    auth.login(make_user(role=role, department=department))
    for endpoint, url, method, roles in protected_routes(app):
        status = client.open(url, method=method).status_code
        if role in roles:
            assert status != 403, (endpoint, method, role)
        else:
            assert status == 403, (endpoint, method, role)


def test_protected_routes_exist(app):
    endpoints = {endpoint for endpoint, *_ in protected_routes(app)}
    assert {"main.admin", "accounts.departments", "accounts.users", "accounts.new_user"} <= endpoints
