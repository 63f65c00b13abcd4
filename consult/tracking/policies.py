"""Per-kind rules: tracking-number prefix, answer window, what a request for information does to the
clock, and how many extensions of how many working days a reviewer may grant (DESIGN.md §3)."""

from dataclasses import dataclass, replace
from typing import Literal

from flask import current_app

from consult.tracking.models import COMMENT, DISCLOSURE, EVENT_QUESTION, LETTER

REOPEN_WINDOW_WORKDAYS = 10  # a reopened submission is due 10 working days after reopening
DUE_SOON_WORKDAYS = 3  # "due soon" = due within 3 working days

InfoClock = Literal["keep", "restart"]


@dataclass(frozen=True)
class KindPolicy:
    """How one kind of submission is handled."""

    kind: str
    prefix: str  # first letter of the tracking number
    window_workdays: int  # default answer window
    info_clock: InfoClock  # "restart": the count starts again from the day the information arrives
    max_extensions: int  # approved extensions allowed over the submission's life
    max_extension_workdays: int  # longest single extension
    info_request_within: int | None = None  # a request for information must go out within N working days


POLICIES: dict[str, KindPolicy] = {
    LETTER: KindPolicy(LETTER, "L", 15, "keep", max_extensions=1, max_extension_workdays=15),
    # A comment's clock starts when the consultation closes: the caller passes clock_start_on.
    COMMENT: KindPolicy(COMMENT, "C", 15, "keep", max_extensions=1, max_extension_workdays=15),
    # 政府信息公开条例 Art. 30 (补正 within 7 working days, restarts the clock) and Art. 33 (20 + 20).
    DISCLOSURE: KindPolicy(
        DISCLOSURE, "D", 20, "restart", max_extensions=1, max_extension_workdays=20, info_request_within=7
    ),
    EVENT_QUESTION: KindPolicy(EVENT_QUESTION, "Q", 10, "keep", max_extensions=1, max_extension_workdays=10),
}


def policy_for(kind: str) -> KindPolicy:
    """The policy of ``kind``, with the window overridden by ``CONSULT_ANSWER_WINDOWS[kind]`` if set."""
    policy = POLICIES[kind]
    windows = current_app.config.get("CONSULT_ANSWER_WINDOWS") or {}
    if kind in windows:
        policy = replace(policy, window_workdays=int(windows[kind]))
    return policy
