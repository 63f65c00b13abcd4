"""How long a consultation must stay open, by the type of the decision the draft prepares.

* 重大行政决策 (major administrative decision): at least 30 days (重大行政决策程序暂行条例 Art. 15);
* 行政规范性文件 (normative document): at least 7 working days, or 30 days where it is closely tied to market
  actors (the rules on 行政规范性文件 and fair competition review);
* 规章 (rules): at least 30 days (规章制定程序条例 Art. 15);
* other drafts: at least 30 days, Consult's general rule.

A shorter window needs a reason, shown publicly. The compliance self-check lists drafts without one.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from consult import workdays
from consult.localtime import as_utc, local_date

MAJOR_DECISION, NORMATIVE_DOCUMENT, REGULATION, OTHER = "major_decision", "normative_document", "regulation", "other"
DECISION_TYPES = (MAJOR_DECISION, NORMATIVE_DOCUMENT, REGULATION, OTHER)
DECISION_TYPE_LABELS = {
    MAJOR_DECISION: _l("Major administrative decision (重大行政决策)"),
    NORMATIVE_DOCUMENT: _l("Normative document (行政规范性文件)"),
    REGULATION: _l("Rules (规章)"),
    OTHER: _l("Other policy document"),
}


@dataclass(frozen=True)
class MinimumWindow:
    """At least ``days`` calendar days, or ``workdays`` working days (one of them is set)."""

    days: int = 0
    workdays: int = 0

    @property
    def text(self) -> str:
        if self.workdays:
            return str(_l("at least %(num)s working days", num=self.workdays))
        return str(_l("at least %(num)s days", num=self.days))


def minimum_window(decision_type: str, market_related: bool = False) -> MinimumWindow:
    """The shortest window the rules allow without a reason."""
    if decision_type == NORMATIVE_DOCUMENT and not market_related:
        return MinimumWindow(workdays=7)
    return MinimumWindow(days=30)


def window_is_short(opens_at: datetime, closes_at: datetime, decision_type: str, market_related: bool = False,
                    overrides=None) -> bool:
    """Whether the window is shorter than the rule for the draft's type. Working days are counted from the
    day after opening (民法典 Art. 201) up to the closing day."""
    rule = minimum_window(decision_type, market_related)
    if rule.workdays:
        opens_on, closes_on = local_date(opens_at), local_date(closes_at)
        return closes_on < workdays.add_workdays(opens_on, rule.workdays, overrides)
    return (as_utc(closes_at) - as_utc(opens_at)).total_seconds() < rule.days * 86400
