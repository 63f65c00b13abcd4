"""Comment analysis for drafts with many comments: campaigns, topics per article, singles, and stances.

Plain Python over plain data — no web or database code: ``analyse`` takes (id, article anchor, text) triples
and returns units that cover every comment exactly once. See docs/analysis.md.

The pipeline (``analyse``, ``CampaignIndex``, ``clean_text``) is imported on first use: it loads NumPy, SciPy,
scikit-learn and datasketch (some 150 MB and several seconds), which a web worker that never runs an
analysis should not carry.
"""

from importlib import import_module

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
from consult.analysis.stance import Lexicon, default_lexicon, stance

__all__ = [
    "CAMPAIGN", "OPPOSE", "OTHER", "REVISE", "SINGLE", "STANCES", "SUPPORT", "TOPIC", "Analysis", "Campaign",
    "CampaignIndex", "Comment", "Edit", "Lexicon", "Parameters", "Single", "Summary", "Topic", "Unit", "analyse",
    "clean_text", "default_lexicon", "stance",
]

_LAZY = {"analyse": "consult.analysis.pipeline", "CampaignIndex": "consult.analysis.campaigns",
         "clean_text": "consult.analysis.prepare"}


def __getattr__(name: str):
    """``analyse``, ``CampaignIndex`` and ``clean_text``, imported when first asked for."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
