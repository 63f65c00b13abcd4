"""A comment's stance — 支持 / 反对 / 建议修改 / 其他 — from a lexicon anyone can read and edit.

How a stance is decided (the whole rule):

1. The normalised text is scanned for the lexicon's cue phrases, longest first (``建议尽快实施`` is one
   support cue, not ``建议`` plus something). A cue listed as ``strong`` (a word that states the stance
   outright: 支持, 反对, 不同意…) weighs 2, any other cue (增加, 太贵, 早该…) 1.
2. A cue preceded, within its clause and at most ``window`` characters before it, by a negation (不, 没有,
   并不, 不太…) counts for the stance the lexicon names for its negation: 不支持 counts for 反对, 不反对 for
   支持. Words that only look negative (不仅, 不断, 非常, 不得不…) are not negations.
3. A cue after the last turn (但, 但是, 不过…) counts ``turn_weight`` times: what follows the "but" is the
   point.
4. The stance with the most weight wins; on a tie 反对 wins over 建议修改, which wins over 支持. No cue
   at all: 其他 (questions, thanks, stories without a request).

The default lexicon is ``stance_lexicon.toml`` beside this module; ``Lexicon.from_toml`` reads an edited one.
"""

import re
import tomllib
from functools import cache
from importlib import resources

from consult.analysis.model import OPPOSE, OTHER, REVISE, STANCES, SUPPORT
from consult.tokens import normalize

_PRIORITY = (OPPOSE, REVISE, SUPPORT)
STRONG = 2  # weight of a cue listed under "strong": a word that states the stance outright
_CLAUSE_END = re.compile(r"[,.;:!?，。；：！？、\n]")


class Lexicon:
    """Cue phrases per stance with their weights, what a negated cue counts for, negations and turns —
    compiled once."""

    def __init__(self, cues: dict[str, dict[str, int]], negated: dict[str, str], negations=(), not_negations=(),
                 turns=(), window: int = 4, turn_weight: int = 2):
        self.cues = {stance: {normalize(c): int(w) for c, w in phrases.items() if normalize(c)}
                     for stance, phrases in cues.items()}
        self.negated = dict(negated)
        self.negations = tuple(normalize(w) for w in negations if normalize(w))
        self.not_negations = tuple(normalize(w) for w in not_negations if normalize(w))
        self.turns = tuple(normalize(w) for w in turns if normalize(w))
        self.window, self.turn_weight = window, turn_weight
        self._cue: dict[str, tuple[str, int]] = {}
        for stance in _PRIORITY:  # a phrase listed under two stances keeps the one that wins ties
            for cue, weight in self.cues.get(stance, {}).items():
                self._cue.setdefault(cue, (stance, weight))
        if not self._cue:
            raise ValueError("the lexicon has no cue phrases")
        self._cue_re = re.compile(_alternation(self._cue))
        self._negation_re = re.compile(_alternation(self.negations)) if self.negations else None
        self._fake_re = re.compile(_alternation(self.not_negations)) if self.not_negations else None

    @classmethod
    def from_toml(cls, text: str) -> "Lexicon":
        """Read a lexicon in the format of ``stance_lexicon.toml``; ValueError with the reason if it is wrong."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"the lexicon is not valid TOML: {error}") from error
        cues, negated = {}, {}
        for section in data.get("stance", []):
            stance = section.get("label")
            if stance not in _PRIORITY:
                raise ValueError(f"unknown stance {stance!r}: use one of {SUPPORT}, {OPPOSE}, {REVISE}")
            phrases = {str(c): 1 for c in section.get("cues", [])}
            phrases.update({str(c): STRONG for c in section.get("strong", [])})
            cues[stance] = phrases
            negated[stance] = section.get("when_negated", stance)
            if negated[stance] not in STANCES:
                raise ValueError(f"unknown stance {negated[stance]!r} in when_negated of {stance}")
        negation, turn = data.get("negation", {}), data.get("turn", {})
        return cls(cues, negated, negation.get("words", []), negation.get("not_negations", []),
                   turn.get("words", []), int(negation.get("window", 4)), int(turn.get("weight", 2)))

    def _negated(self, before: str) -> bool:
        """True if ``before`` (the few characters before a cue, within its clause) holds a negation."""
        if self._negation_re is None or not before:
            return False
        if self._fake_re is not None:
            before = self._fake_re.sub("  ", before)
        return self._negation_re.search(before) is not None

    def scores(self, text: str) -> dict[str, int]:
        """The weight each stance gets from ``text`` (see the module docstring)."""
        plain = normalize(text)
        turn_at = max((plain.rfind(t) for t in self.turns), default=-1)
        scores = dict.fromkeys(STANCES, 0)
        for match in self._cue_re.finditer(plain):
            start = match.start()
            before = _CLAUSE_END.split(plain[max(0, start - self.window):start])[-1]
            stance, weight = self._cue[match.group()]
            if self._negated(before):
                stance = self.negated.get(stance, stance)
            scores[stance] += weight * (self.turn_weight if 0 <= turn_at < start else 1)
        return scores

    def stance(self, text: str) -> str:
        """支持, 反对, 建议修改 or 其他 for ``text``."""
        scores = self.scores(text)
        best = max(scores[s] for s in _PRIORITY)
        if best == 0:
            return OTHER
        return next(s for s in _PRIORITY if scores[s] == best)


def shipped_text() -> str:
    """The text of the lexicon shipped with Consult (``stance_lexicon.toml``), which an admin's edits start from."""
    return resources.files(__package__).joinpath("stance_lexicon.toml").read_text("utf-8")


@cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped with Consult (``stance_lexicon.toml``)."""
    return Lexicon.from_toml(shipped_text())


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def stance_scores(text: str, lexicon: Lexicon | None = None) -> dict[str, int]:
    """The weight each stance gets from ``text``."""
    return (lexicon or default_lexicon()).scores(text)


def stance(text: str, lexicon: Lexicon | None = None) -> str:
    """支持, 反对, 建议修改 or 其他 for ``text``."""
    return (lexicon or default_lexicon()).stance(text)
