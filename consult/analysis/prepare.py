"""Comment text as the analysis reads it: markup removed, a key for identical texts, shingles for MinHash."""

import hashlib
import html
import re
import unicodedata

import nh3
import numpy as np

from consult.tokens import normalize

_MARKUP = re.compile(r"<[a-zA-Z!/?]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def clean_text(text: str | None) -> str:
    """The comment as analysed and diffed: HTML tags and entities resolved to plain text, whitespace collapsed.

    Edits of campaign copies give positions in this text. Text without markup or extra spaces comes back as
    the same object (no copy).
    """
    text = text or ""
    if _MARKUP.search(text):
        text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    collapsed = _SPACE.sub(" ", text).strip()
    return text if collapsed == text else collapsed


def matching_text(clean: str, limit: int | None = None) -> str:
    """Letters and digits (NFKC, case-folded) of the first ``limit`` characters: what "identical" and
    "near-identical" compare. Punctuation goes first, so NFKC rarely has anything left to do."""
    core = _NOT_WORD.sub("", clean[:limit] if limit else clean)
    if not unicodedata.is_normalized("NFKC", core):
        core = _NOT_WORD.sub("", unicodedata.normalize("NFKC", core))
    return core.casefold()


def identity_key(clean: str) -> bytes | None:
    """A digest equal for texts that differ only in punctuation, symbols, spaces, width or case; texts of only
    symbols (👍👍) compare those; None for a blank text, which is never grouped."""
    core = matching_text(clean)
    if not core:
        core = "\x00" + normalize(clean).replace(" ", "")
        if core == "\x00":
            return None
    return hashlib.blake2b(core.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_MIX = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(core: str, size: int) -> np.ndarray:
    """32-bit hashes of the distinct ``size``-character shingles of ``core`` (the whole text if shorter).

    Characters are packed into one 64-bit integer per shingle (exact up to 3 characters, whose code points
    need 21 bits each) and folded to 32 bits with a multiplicative hash: no Python loop over shingles.
    """
    codes = np.frombuffer(core.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < size:
        size = max(len(codes), 1)
        if not len(codes):
            return np.zeros(1, dtype=np.uint64)
    packed = np.zeros(len(codes) - size + 1, dtype=np.uint64)
    for offset in range(size):
        packed = (packed << np.uint64(21)) ^ codes[offset:len(codes) - size + 1 + offset]
    return np.unique((packed * _MIX) >> np.uint64(32))
