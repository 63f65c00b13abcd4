"""Comment analysis for drafts with many comments: campaigns, topics per article, singles, and stances.

Plain Python over plain data — no web or database code: ``analyse`` takes (id, article anchor, text) triples
and returns units that cover every comment exactly once. See docs/analysis.md.
"""

from consult.analysis.campaigns import CampaignIndex
from consult.analysis.model import (
    CAMPAIGN,
    OPPOSE,
    OTHER,
    REVISE,
    SINGLE,
    STANCES,
    SUPPORT,
    TOPIC,
    Analysis,
    Campaign,
    Comment,
    Edit,
    Parameters,
    Single,
    Summary,
    Topic,
    Unit,
)
from consult.analysis.pipeline import analyse
from consult.analysis.prepare import clean_text
from consult.analysis.stance import Lexicon, default_lexicon, stance

__all__ = [
    "CAMPAIGN", "OPPOSE", "OTHER", "REVISE", "SINGLE", "STANCES", "SUPPORT", "TOPIC", "Analysis", "Campaign",
    "CampaignIndex", "Comment", "Edit", "Lexicon", "Parameters", "Single", "Summary", "Topic", "Unit", "analyse",
    "clean_text", "default_lexicon", "stance",
]
