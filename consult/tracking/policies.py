"""Per-kind rules: tracking-number prefix, answer window, what a request for information does to the
clock, and how many extensions of how many working days a reviewer may grant (DESIGN.md §3). Each kind's
domain registers its policy with its kind (:mod:`consult.tracking.kinds`)."""

from dataclasses import dataclass, replace
from typing import Literal

from flask import current_app

from consult.tracking import kinds

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


def policy_for(kind: str) -> KindPolicy:
    """The policy of ``kind``, with the window overridden by ``CONSULT_ANSWER_WINDOWS[kind]`` if set."""
    policy = kinds.kind_of(kind).policy
    windows = current_app.config.get("CONSULT_ANSWER_WINDOWS") or {}
    if kind in windows:
        policy = replace(policy, window_workdays=int(windows[kind]))
    return policy
