"""Applicant types and outcome categories of information requests, exactly as the official annual-report
table (政府信息公开工作年度报告格式, 国办公开办函〔2021〕30号) lists them.

Each code has an English msgid for the pages (the Chinese catalog gives the official wording) and the
official Chinese text, used as-is in the CSV/XLSX downloads meant for the official report.
"""

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

# --- applicant types (the table's columns) -------------------------------------------------------------
NATURAL_PERSON = "natural_person"
COMMERCIAL, RESEARCH, SOCIAL_WELFARE, LEGAL_SERVICE, OTHER_ORG = (
    "commercial", "research", "social_welfare", "legal_service", "other_org",
)
ORGANISATION_TYPES = (COMMERCIAL, RESEARCH, SOCIAL_WELFARE, LEGAL_SERVICE, OTHER_ORG)
APPLICANT_TYPES = (NATURAL_PERSON, *ORGANISATION_TYPES)
APPLICANT_LABELS = {
    NATURAL_PERSON: _l("Natural person"),
    COMMERCIAL: _l("Commercial enterprise"),
    RESEARCH: _l("Research institution"),
    SOCIAL_WELFARE: _l("Social welfare organisation"),
    LEGAL_SERVICE: _l("Legal service institution"),
    OTHER_ORG: _l("Other organisation"),
}
APPLICANT_OFFICIAL = {
    NATURAL_PERSON: "自然人", COMMERCIAL: "商业企业", RESEARCH: "科研机构", SOCIAL_WELFARE: "社会公益组织",
    LEGAL_SERVICE: "法律服务机构", OTHER_ORG: "其他",
}


# --- outcomes (the table's rows under 三、本年度办理结果) -----------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """One row of the results: a category and, where the table splits it, a reason."""

    category: str
    reason: str  # "" for categories without reasons
    label: object
    official: str

    @property
    def key(self) -> str:
        return f"{self.category}:{self.reason}" if self.reason else self.category


DISCLOSED, PARTLY, WITHHELD, UNAVAILABLE, NOT_PROCESSED, OTHER = (
    "disclosed", "partly", "withheld", "unavailable", "not_processed", "other",
)
CATEGORIES = (DISCLOSED, PARTLY, WITHHELD, UNAVAILABLE, NOT_PROCESSED, OTHER)
CATEGORY_LABELS = {
    DISCLOSED: _l("Disclosed"),
    PARTLY: _l("Partly disclosed"),
    WITHHELD: _l("Not disclosed"),
    UNAVAILABLE: _l("Cannot be provided"),
    NOT_PROCESSED: _l("Not processed"),
    OTHER: _l("Handled otherwise"),
}
CATEGORY_OFFICIAL = {
    DISCLOSED: "（一）予以公开",
    PARTLY: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    WITHHELD: "（三）不予公开",
    UNAVAILABLE: "（四）无法提供",
    NOT_PROCESSED: "（五）不予处理",
    OTHER: "（六）其他处理",
}

NO_CLARIFICATION, FEE_UNPAID, OTHER_REASON = "no_clarification", "fee_unpaid", "other"

_REASONS: dict[str, tuple[tuple[str, object, str], ...]] = {
    WITHHELD: (
        ("state_secret", _l("State secret"), "1.属于国家秘密"),
        ("prohibited_by_law", _l("Disclosure prohibited by other laws and administrative regulations"),
         "2.其他法律行政法规禁止公开"),
        ("security_stability", _l("Would endanger the “three securities and one stability”"),
         "3.危及“三安全一稳定”"),
        ("third_party_rights", _l("Protection of a third party's lawful rights"), "4.保护第三方合法权益"),
        ("internal_affairs", _l("Internal affairs information (three kinds)"), "5.属于三类内部事务信息"),
        ("process_information", _l("Process information (four kinds)"), "6.属于四类过程性信息"),
        ("enforcement_files", _l("Administrative law-enforcement case files"), "7.属于行政执法案卷"),
        ("administrative_query", _l("A matter of administrative enquiry"), "8.属于行政查询事项"),
    ),
    UNAVAILABLE: (
        ("not_held", _l("This body does not hold the information"), "1.本机关不掌握相关政府信息"),
        ("needs_creation", _l("No existing information: it would have to be created"), "2.没有现成信息需要另行制作"),
        ("still_unclear", _l("Still unclear after clarification"), "3.补正后申请内容仍不明确"),
    ),
    NOT_PROCESSED: (
        ("petition", _l("A petition, report or complaint"), "1.信访举报投诉类申请"),
        ("repeated", _l("A repeated request"), "2.重复申请"),
        ("publication", _l("Asks for published material"), "3.要求提供公开出版物"),
        ("excessive", _l("Large numbers of repeated requests without good reason"), "4.无正当理由大量反复申请"),
        ("confirmation", _l("Asks the body to confirm or reissue information already obtained"),
         "5.要求行政机关确认或重新出具已获取信息"),
    ),
    OTHER: (
        (NO_CLARIFICATION, _l("No clarification within the time set: the request is no longer processed"),
         "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        (FEE_UNPAID, _l("Fee not paid in time: the request is no longer processed"),
         "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        (OTHER_REASON, _l("Other"), "3.其他"),
    ),
}

OUTCOMES: tuple[Outcome, ...] = tuple(
    outcome
    for category in CATEGORIES
    for outcome in (
        [Outcome(category, code, label, official) for code, label, official in _REASONS.get(category, ())]
        or [Outcome(category, "", CATEGORY_LABELS[category], CATEGORY_OFFICIAL[category])]
    )
)
OUTCOME_BY_KEY = {outcome.key: outcome for outcome in OUTCOMES}
REASONS = {category: tuple(code for code, _label, _official in _REASONS.get(category, ())) for category in CATEGORIES}

# A finished request whose outcome was never recorded (dismissed, or answered outside the disclosure page)
# counts under 其他处理 / 其他 so the table still adds up; the report says how many there were.
FALLBACK = OUTCOME_BY_KEY[f"{OTHER}:{OTHER_REASON}"]


def outcome_for(category: str | None, reason: str | None) -> Outcome | None:
    """The outcome of a category and reason, or None if they do not go together."""
    if not category:
        return None
    return OUTCOME_BY_KEY.get(f"{category}:{reason}" if reason else category)


def full_label(outcome: Outcome) -> str:
    """The outcome as the reader reads it: its category, then its reason where it has one."""
    if not outcome.reason:
        return str(outcome.label)
    return gettext("%(category)s — %(reason)s", category=CATEGORY_LABELS[outcome.category], reason=outcome.label)


def outcome_choices() -> list[tuple[str, str]]:
    """(key, label) pairs for a select, with the category in front of each reason."""
    return [(outcome.key, full_label(outcome)) for outcome in OUTCOMES]
