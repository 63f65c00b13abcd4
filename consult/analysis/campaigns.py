"""Campaigns: identical comments and modified form letters, found with MinHash (datasketch) and an LSH index.

Each distinct text (punctuation, spaces, width and case aside) gets a MinHash signature of its character
shingles. The LSH index holds only the *founders*: texts that matched no earlier text, in the bands datasketch's
``MinHashLSH`` chooses for the threshold, each band folded into one 64-bit key (a dict of keys takes a fifth of
the memory of ``MinHashLSH``'s set per bucket; see docs/analysis.md). A new text is compared with the founders
that share a band key with it; every founder whose estimated Jaccard similarity reaches
``Parameters.similarity`` joins its group with the new text (union-find, so two groups a text bridges become
one); a text that matches none founds a group of its own. Indexing founders only keeps the buckets small even
when one form letter is sent a hundred thousand times.

Union-find also chains: among hundreds of thousands of short comments that share a greeting or a sentence,
A≈B≈C≈… can link texts that have nothing in common. So a group becomes campaigns by *stars*: its most-sent
text is a template, and only the texts whose exact Jaccard similarity to that template reaches
``template_similarity`` and that keep more than one sentence of it (``min_shared`` shingles, about that many
characters) or nearly all of it (``min_kept``) form its campaign — two short comments that share one stock
sentence are no campaign; the rest of the group is tried around its next most-sent text, and
what no template holds goes back to the topics.

``CampaignIndex`` can be kept (it pickles) and fed new comments later: earlier texts are never hashed again.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice

import numpy as np
from datasketch import MinHash, MinHashLSH

from consult.analysis.diffs import template_edits
from consult.analysis.model import Campaign, Parameters
from consult.analysis.prepare import identity_key, matching_text, shingle_hashes

_BATCH = 2048
_MIX = np.uint64(0x9E3779B97F4A7C15)
TEMPLATE_CANDIDATES = 400  # texts sent equally often that are compared to choose a template
TEMPLATES_PER_GROUP = 20  # templates tried in one group before the rest of it goes back to the topics


def _identity(value):
    """MinHash's hash function: shingles arrive already hashed to 32 bits."""
    return value


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class CampaignIndex:
    """Groups of identical and near-identical comments, built incrementally."""

    def __init__(self, parameters: Parameters | None = None):
        self.parameters = p = parameters or Parameters()
        banding = MinHashLSH(threshold=p.similarity, num_perm=p.num_perm)  # datasketch's bands for the threshold
        self.bands, self.band_rows = banding.b, banding.r
        self._buckets: dict[int, int | list[int]] | None = {}  # band key → founder row(s)
        self._needed = int(np.ceil(p.similarity * p.num_perm))  # equal positions for the similarity threshold
        self._text_of_key: dict[bytes, int] = {}  # identity key → text number
        self.copies: list[list[int]] = []  # text number → ids of the comments with that text
        self._parent: list[int] = []  # union-find over text numbers
        self._founders = np.empty((1024, p.num_perm), dtype=np.uint32)  # row → signature; LSH keys are rows
        self._founder_text: list[int] = []  # row → text number
        self.blank: list[int] = []  # comments without any text: never grouped
        self.hashed = 0  # texts hashed (not taken from an earlier run)
        self.new_signatures: dict[int, tuple[bytes, bytes]] = {}  # comment id → (identity key, signature)
        self._keys_of_new: dict[int, bytes] = {}

    def add(self, comments: Iterable[tuple[int, str]], known: Mapping[int, tuple[bytes, bytes]] | None = None
            ) -> None:
        """Add (comment id, clean text) pairs, in batches: identical texts join at once, new ones are hashed.

        ``known`` maps a comment id to the (identity key, signature bytes) of an earlier run: a text whose
        first comment is there with the same identity key takes that signature instead of being hashed again
        (the result is the same). Signatures computed here are kept in :attr:`new_signatures`.
        """
        p = self.parameters
        known = known or {}
        if self._buckets is None:
            raise RuntimeError("this index has forgotten its founders: it takes no more texts")
        for batch in _batched(comments, _BATCH):
            fresh: list[tuple[int, str]] = []
            reused: dict[int, np.ndarray] = {}  # position in fresh → signature of an earlier run
            for comment_id, clean in batch:
                key = identity_key(clean)
                if key is None:
                    self.blank.append(comment_id)
                    continue
                number = self._text_of_key.get(key)
                if number is not None:
                    self.copies[number].append(comment_id)
                    continue
                number = len(self.copies)
                self._text_of_key[key] = number
                self.copies.append([comment_id])
                self._parent.append(number)
                core = matching_text(clean, p.max_chars)
                if len(core) >= p.min_near_chars:
                    earlier = known.get(comment_id)
                    if earlier is not None and earlier[0] == key and len(earlier[1]) == 4 * p.num_perm:
                        reused[len(fresh)] = np.frombuffer(earlier[1], dtype="<u4")
                    else:
                        self._keys_of_new[comment_id] = key
                    fresh.append((number, core))
            if not fresh:
                continue
            signatures = np.empty((len(fresh), p.num_perm), dtype=np.uint32)
            todo = [i for i in range(len(fresh)) if i not in reused]
            computed = MinHash.generator((shingle_hashes(fresh[i][1], p.shingle) for i in todo),
                                         num_perm=p.num_perm, seed=p.seed, hashfunc=_identity)
            for i, minhash in zip(todo, computed, strict=True):
                signatures[i] = minhash.hashvalues
                first = self.copies[fresh[i][0]][0]
                self.new_signatures[first] = (self._keys_of_new.pop(first), signatures[i].astype("<u4").tobytes())
            for i, signature in reused.items():
                signatures[i] = signature
            self.hashed += len(todo)
            keys = self._band_keys(signatures).tolist()
            for (number, _core), signature, band_keys in zip(fresh, signatures, keys, strict=True):
                self._place(number, signature, band_keys)

    def _band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """One 64-bit key per band of each signature (the band's number mixed in): texts whose signatures agree
        on all rows of a band share that band's key. A false match of two keys only costs a comparison."""
        n, bands, rows = len(signatures), self.bands, self.band_rows
        values = signatures[:, :bands * rows].astype(np.uint64).reshape(n, bands, rows)
        keys = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _MIX, (n, bands)).copy()
        for column in range(rows):
            keys = (keys ^ values[:, :, column]) * _MIX
            keys ^= keys >> np.uint64(29)
        return keys

    def _place(self, number: int, signature: np.ndarray, band_keys: list[int]) -> None:
        buckets = self._buckets
        candidates: set[int] = set()
        for key in band_keys:
            found = buckets.get(key)
            if found is None:
                continue
            if type(found) is int:
                candidates.add(found)
            else:
                candidates.update(found)
        if candidates:
            rows = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
            equal = np.count_nonzero(self._founders[rows] == signature, axis=1)
            matched = rows[equal >= self._needed]
            if len(matched):
                for row in matched.tolist():
                    self._union(number, self._founder_text[row])
                return
        row = len(self._founder_text)
        if row == len(self._founders):
            self._founders = np.concatenate([self._founders, np.empty_like(self._founders)])
        self._founders[row] = signature
        self._founder_text.append(number)
        for key in band_keys:
            found = buckets.get(key)
            if found is None:
                buckets[key] = row
            elif type(found) is int:
                buckets[key] = [found, row]
            else:
                found.append(row)

    def forget_founders(self) -> None:
        """Drop the lookup of founders (most of the index's memory) once no text will be added: the groups stay."""
        self._buckets, self._founders = None, None

    def _find(self, number: int) -> int:
        parent = self._parent
        root = number
        while parent[root] != root:
            root = parent[root]
        while parent[number] != root:
            parent[number], number = root, parent[number]
        return root

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Groups of text numbers (each a list, first-seen text first), in order of their first text."""
        by_root: dict[int, list[int]] = {}
        for number in range(len(self.copies)):
            by_root.setdefault(self._find(number), []).append(number)
        return list(by_root.values())

    @property
    def founders(self) -> int:
        """How many texts the LSH index holds (founders)."""
        return len(self._founder_text)


def consensus_text(cores: list[str], parameters: Parameters) -> int:
    """Of a group's distinct texts (letters and digits), the index of the one closest to what they share: the
    most MinHash positions equal to the position's most common value over the group."""
    signatures = np.array([m.hashvalues for m in MinHash.generator(
        (shingle_hashes(core, parameters.shingle) for core in cores),
        num_perm=parameters.num_perm, seed=parameters.seed, hashfunc=_identity,
    )])
    common = []
    for column in signatures.T:
        values, counts = np.unique(column, return_counts=True)
        common.append(values[counts.argmax()])
    return int(np.argmax(np.count_nonzero(signatures == np.array(common, dtype=signatures.dtype), axis=1)))


def _copy_of(core: str, template: str, template_shingles: np.ndarray, p: Parameters) -> bool:
    """Whether a text (its letters and digits as read, ``core``) is a copy of the template: the same as far as
    read (a very long text may differ only past ``max_chars``), or an exact Jaccard similarity of their shingles
    of at least ``template_similarity`` with either at least ``min_shared`` shingles in common (more than one
    sentence) or at least ``min_kept`` of the template's shingles kept. In two short comments one shared stock
    sentence is half of each text (Jaccard about 0.5), and people writing on their own do share such a sentence;
    a sender who edits a form letter keeps several sentences of it, or, of a short one, nearly all of it."""
    if core == template:
        return True
    shingles = shingle_hashes(core, p.shingle)
    common = np.intersect1d(shingles, template_shingles, assume_unique=True).size
    if common / (shingles.size + template_shingles.size - common) < p.template_similarity:
        return False
    return common >= p.min_shared or common >= p.min_kept * template_shingles.size


def _stars(numbers: list[int], copies: list[list[int]], clean: dict[int, str], p: Parameters):
    """(template, member texts) of the campaigns in one group of the index (see the module docstring)."""
    def core(n: int) -> str:
        return matching_text(clean[copies[n][0]], p.max_chars)

    remaining = sorted(numbers, key=lambda n: (-len(copies[n]), n))
    for _attempt in range(TEMPLATES_PER_GROUP):
        if sum(len(copies[n]) for n in remaining) < p.min_campaign_size:
            return
        most = len(copies[remaining[0]])
        candidates = [n for n in remaining if len(copies[n]) == most][:TEMPLATE_CANDIDATES]
        template = candidates[0]
        if len(candidates) > 1:  # no text was sent more often than the others: the most typical one
            template = candidates[consensus_text([core(n) for n in candidates], p)]
        read = core(template)
        shingles = shingle_hashes(read, p.shingle)
        star = [n for n in remaining if n == template or _copy_of(core(n), read, shingles, p)]
        if sum(len(copies[n]) for n in star) >= p.min_campaign_size:
            yield template, star
        taken = set(star)
        remaining = [n for n in remaining if n not in taken]
        if most == 1:  # no text left that several people sent word for word
            return


def campaign_units(index: CampaignIndex, clean: dict[int, str], article_of: dict) -> list[Campaign]:
    """The campaigns of an index, largest first, each with its template and every copy's edits."""
    p, copies = index.parameters, index.copies
    campaigns = []
    for numbers in index.groups():
        if sum(len(copies[n]) for n in numbers) < p.min_campaign_size:
            continue
        for template_number, members in _stars(numbers, copies, clean, p):
            template_id = copies[template_number][0]
            template = clean[template_id]
            member_ids = sorted(cid for n in members for cid in copies[n])
            edits = {}
            for n in members:
                if n == template_number:
                    continue
                first = copies[n][0]
                found = template_edits(template, clean[first], p.max_chars)
                for cid in copies[n]:
                    same = clean[cid] == clean[first]
                    copy_edits = found if same else template_edits(template, clean[cid], p.max_chars)
                    if copy_edits:
                        edits[cid] = copy_edits
            campaigns.append(Campaign(
                key=f"campaign-{template_id}", template_id=template_id, template_text=template,
                comment_ids=member_ids, edits=edits,
                articles=dict(Counter(article_of[cid] for cid in member_ids)),
            ))
    campaigns.sort(key=lambda c: (-c.size, c.template_id))
    return campaigns
