"""The article of 《中华人民共和国政府信息公开条例》 (2019) behind each outcome of an information request, as
the reply letter (答复意见书) cites it. The citation is the statute's own Chinese text, as it stands in the
official documents; an outcome with no single article (其他) cites none."""

from consult.disclosure.models import DisclosureRequest
from consult.disclosure.outcomes import outcome_for
from consult.extensions import db
from consult.tracking.models import Submission

REGULATION = "《中华人民共和国政府信息公开条例》"

# outcome key (category or category:reason) -> article
ARTICLES = {
    "disclosed": "第三十六条第（二）项",
    "partly": "第三十七条、第三十六条第（三）项",
    "withheld:state_secret": "第十四条、第三十六条第（三）项",
    "withheld:prohibited_by_law": "第十四条、第三十六条第（三）项",
    "withheld:security_stability": "第十四条、第三十六条第（三）项",
    "withheld:third_party_rights": "第十五条、第三十二条、第三十六条第（三）项",
    "withheld:internal_affairs": "第十六条第一款、第三十六条第（三）项",
    "withheld:process_information": "第十六条第二款、第三十六条第（三）项",
    "withheld:enforcement_files": "第十六条第二款、第三十六条第（三）项",
    "withheld:administrative_query": "第三十六条第（七）项",
    "unavailable:not_held": "第三十六条第（四）项",
    "unavailable:needs_creation": "第三十八条",
    "unavailable:still_unclear": "第二十九条第二款、第三十条",
    "not_processed:petition": "第三十九条第一款",
    "not_processed:repeated": "第三十六条第（六）项",
    "not_processed:publication": "第三十九条第二款",
    "not_processed:excessive": "第三十五条",
    "other:no_clarification": "第三十条",
    "other:fee_unpaid": "第四十二条",
}


def article_for(category: str | None, reason: str | None) -> str:
    """The citation for an outcome, e.g. 《中华人民共和国政府信息公开条例》第三十六条第（二）项; "" if none."""
    outcome = outcome_for(category, reason)
    article = ARTICLES.get(outcome.key) if outcome is not None else None
    return f"{REGULATION}{article}" if article else ""


def basis_for_request(submission: Submission) -> str:
    """The legal basis printed on the reply letter of an information request (its recorded outcome)."""
    found = db.session.get(DisclosureRequest, submission.id)
    if found is None:
        return ""
    return article_for(found.outcome_category, found.outcome_reason)
