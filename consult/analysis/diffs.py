"""What a sender added to or changed in a form letter: a character diff (difflib) against the template.

Characters, not words: Chinese has no spaces, and segmenting every copy of a large campaign would cost more
than the whole rest of the analysis. Neighbouring changes separated by a single unchanged character are shown
as one change (``市应当`` → ``区应该`` rather than three one-character changes), and changes of punctuation,
spaces, width or case alone are not changes.
"""

import re
from difflib import SequenceMatcher

from consult.analysis.model import Edit
from consult.tokens import normalize

_NOT_WORD = re.compile(r"[\W_]+")
_BRIDGE = 1  # unchanged characters between two changes that still join them


def _matters(before: str, after: str) -> bool:
    """True if the letters and digits differ once width and case are normalised."""
    return _NOT_WORD.sub("", normalize(before)) != _NOT_WORD.sub("", normalize(after))


def template_edits(template: str, copy: str, limit: int) -> tuple[Edit, ...]:
    """The edits that turn ``template`` into ``copy`` (both clean texts); positions index ``copy``.

    Only the first ``limit`` characters of each are compared; whatever follows in the copy is one insertion.
    """
    a, b = template[:limit], copy[:limit]
    spans: list[list[int]] = []  # [i1, i2, j1, j2] of merged changes
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if spans and i1 - spans[-1][1] <= _BRIDGE and j1 - spans[-1][3] <= _BRIDGE:
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    edits = []
    for i1, i2, j1, j2 in spans:
        before, after = a[i1:i2], b[j1:j2]
        if not _matters(before, after):
            continue
        kind = "insert" if not before else "delete" if not after else "replace"
        edits.append(Edit(kind, before, after, j1, j2))
    if len(copy) > limit:
        edits.append(Edit("insert", "", copy[limit:], limit, len(copy)))
    return tuple(edits)
