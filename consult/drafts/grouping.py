"""Finding identical and near-identical comments: a normalised-text hash plus MinHash over character shingles.

Chinese has no spaces, so shingles are runs of ``SHINGLE`` characters of the normalised text (punctuation
and spaces removed). The MinHash signature (``PERMUTATIONS`` 32-bit values, stored as bytes) estimates the
Jaccard similarity of two comments' shingle sets; locality-sensitive hashing over ``BANDS`` bands finds the
candidate pairs without comparing every pair. Identical normalised texts always share a group.
"""

import hashlib
import struct
import unicodedata
from collections import defaultdict

import numpy as np
import sqlalchemy as sa

from consult.drafts.models import Comment
from consult.extensions import db
from consult.text import normalize_text

SHINGLE = 3
PERMUTATIONS = 64
BANDS, ROWS = 16, 4  # BANDS * ROWS == PERMUTATIONS; pairs above ~0.5 similarity become candidates
THRESHOLD = 0.7  # estimated Jaccard similarity from which two comments count as near-identical
_PRIME = (1 << 61) - 1
_MAX32 = (1 << 32) - 1


def _coefficients() -> list[tuple[int, int]]:
    """Fixed (a, b) pairs for the universal hashes h(x) = (a·x + b) mod p, derived deterministically."""
    pairs = []
    for i in range(PERMUTATIONS):
        digest = hashlib.sha256(f"consult-minhash-{i}".encode()).digest()
        a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
        b = int.from_bytes(digest[8:16], "big") % _PRIME
        pairs.append((a, b))
    return pairs


_COEFFICIENTS = _coefficients()


def matching_text(text: str) -> str:
    """Normalised text without punctuation, symbols or spaces (what grouping compares)."""
    return "".join(c for c in normalize_text(text) if unicodedata.category(c)[0] in "LN")


def text_hash(text: str) -> str:
    return hashlib.sha256(matching_text(text).encode("utf-8")).hexdigest()


def shingles(text: str) -> set[str]:
    core = matching_text(text)
    if len(core) <= SHINGLE:
        return {core} if core else set()
    return {core[i:i + SHINGLE] for i in range(len(core) - SHINGLE + 1)}


# The hashes (a·x + b) mod p of every shingle and permutation at once, in numpy's unsigned 64-bit integers:
# p = 2**61 − 1 is a Mersenne prime, so v mod p folds the bits above 61 back in (2**61 ≡ 1), and a·x, a 122-bit
# product, is taken in 31-bit halves whose partial sums stay below 2**64. Bit for bit the same signature as
# the plain-integer formula (``signature_reference``), about 4–8 times faster (the comment's POST runs it).
_P = np.uint64(_PRIME)
_A = np.array([a for a, _b in _COEFFICIENTS], dtype=np.uint64)[:, None]
_B = np.array([b for _a, b in _COEFFICIENTS], dtype=np.uint64)[:, None]
_LOW30, _LOW31 = np.uint64((1 << 30) - 1), np.uint64((1 << 31) - 1)
_A_HIGH, _A_LOW = _A >> np.uint64(31), _A & _LOW31


def _mod_p(v: np.ndarray) -> np.ndarray:
    """``v mod p`` for any unsigned 64-bit ``v``."""
    v = (v & _P) + (v >> np.uint64(61))
    v = (v & _P) + (v >> np.uint64(61))
    return np.where(v >= _P, v - _P, v)


def signature(text: str) -> bytes:
    """The MinHash signature of ``text`` as ``PERMUTATIONS`` big-endian unsigned 32-bit integers."""
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles(text))
    x = _mod_p(np.frombuffer(digests or bytes(8), dtype=">u8").astype(np.uint64))[None, :]
    x_high, x_low = x >> np.uint64(31), x & _LOW31
    middle = _A_HIGH * x_low + _A_LOW * x_high  # < 2**62; a·x ≡ 2·ah·xh + middle·2**31 + al·xl (mod p)
    product = ((_A_HIGH * x_high) << np.uint64(1)) + (middle >> np.uint64(30)) \
        + ((middle & _LOW30) << np.uint64(31)) + _A_LOW * x_low
    hashes = _mod_p(_mod_p(product) + _B)
    return (hashes.min(axis=1) & np.uint64(_MAX32)).astype(">u4").tobytes()


def signature_reference(text: str) -> bytes:
    """:func:`signature` computed with Python's integers, as the formula reads (for the tests)."""
    values = [int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")
              for s in shingles(text)] or [0]
    mins = [min((a * x + b) % _PRIME for x in values) & _MAX32 for a, b in _COEFFICIENTS]
    return struct.pack(f">{PERMUTATIONS}I", *mins)


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal positions)."""
    a, b = struct.unpack(f">{PERMUTATIONS}I", sig_a), struct.unpack(f">{PERMUTATIONS}I", sig_b)
    return sum(x == y for x, y in zip(a, b, strict=True)) / PERMUTATIONS


class _UnionFind:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_comments(draft_id: int, threshold: float = THRESHOLD) -> int:
    """Group the draft's comments (except those rejected at moderation); store ``group_id``; return the
    number of groups with more than one comment.

    Reads only ids, hashes and signatures, in batches; writes ``group_id`` = the smallest id in the group.
    """
    uf = _UnionFind()
    by_hash: dict[str, int] = {}
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    signatures: dict[int, bytes] = {}
    rows = db.session.execute(
        sa.select(Comment.id, Comment.text_hash, Comment.minhash)
        .where(Comment.draft_id == draft_id, Comment.moderation != "rejected").order_by(Comment.id)
        .execution_options(yield_per=2000)
    )
    for comment_id, digest, sig in rows:
        uf.find(comment_id)
        signatures[comment_id] = sig
        if digest in by_hash:
            uf.union(by_hash[digest], comment_id)
            continue
        by_hash[digest] = comment_id
        for band in range(BANDS):
            key = (band, sig[band * ROWS * 4:(band + 1) * ROWS * 4])
            for other in buckets[key]:
                if uf.find(other) != uf.find(comment_id) and similarity(signatures[other], sig) >= threshold:
                    uf.union(other, comment_id)
            buckets[key].append(comment_id)
    groups: dict[int, list[int]] = defaultdict(list)
    for comment_id in signatures:
        groups[uf.find(comment_id)].append(comment_id)
    for root, members in groups.items():
        for start in range(0, len(members), 500):
            db.session.execute(
                sa.update(Comment).where(Comment.id.in_(members[start:start + 500])).values(group_id=root)
                .execution_options(synchronize_session=False)
            )
    db.session.expire_all()
    return sum(1 for members in groups.values() if len(members) > 1)


def group_summaries(draft_id: int) -> list[tuple[int, int, Comment]]:
    """(group id, size, first comment) of the draft's groups, largest first."""
    size = sa.func.count(Comment.id).label("size")
    groups = db.session.execute(
        sa.select(Comment.group_id, size).where(Comment.draft_id == draft_id, Comment.group_id.is_not(None))
        .group_by(Comment.group_id).order_by(size.desc(), Comment.group_id)
    ).all()
    firsts = {c.id: c for c in db.session.scalars(
        sa.select(Comment).where(Comment.id.in_([g for g, _n in groups]))
    )}
    return [(group_id, n, firsts[group_id]) for group_id, n in groups if group_id in firsts]
