"""What the analysis reads (comments), how it is tuned (parameters) and what it gives back (units, stances,
summary numbers). Plain data: the caller persists and shows it."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

SUPPORT, OPPOSE, REVISE, OTHER = "支持", "反对", "建议修改", "其他"
STANCES = (SUPPORT, OPPOSE, REVISE, OTHER)
CAMPAIGN, TOPIC, SINGLE = "campaign", "topic", "single"


class Comment(NamedTuple):
    """One comment: its id, the anchor of the article it was written on (None: the whole draft), its text."""

    id: int
    article: str | None
    text: str


@dataclass(frozen=True)
class Parameters:
    """The knobs of the analysis, with the values measured in docs/analysis.md."""

    seed: int = 20261122  # every random choice (MinHash permutations, k-means) derives from it: same input, same units
    num_perm: int = 48  # MinHash permutations: the similarity estimate's standard error is about 0.07 at 0.5
    shingle: int = 3  # characters per shingle (letters and digits only)
    similarity: float = 0.5  # estimated Jaccard similarity from which a comment joins a campaign
    template_similarity: float = 0.4  # exact Jaccard similarity to the campaign's template it must keep
    min_shared: int = 40  # shingles (about characters) a copy shares with its template: more than one sentence...
    min_kept: float = 0.9  # ...or this share of the template's shingles (a short letter kept nearly whole)
    min_campaign_size: int = 3  # fewer near-identical comments than this are no campaign
    min_near_chars: int = 15  # shorter texts join campaigns only when identical
    max_chars: int = 10_000  # campaigns, topics and diffs read at most this many characters of a comment
    min_topic_size: int = 3  # smaller clusters are dissolved into singles
    max_topics: int = 12  # per article
    comments_per_topic: int = 6  # at most one topic per this many comments of an article
    min_topic_similarity: float = 0.08  # cosine to its topic's centre below which a comment is a single
    keywords: int = 8
    representatives: int = 3

    @property
    def signature_key(self) -> str:
        """What a campaign signature depends on besides the text: signatures stored under another key are not
        reused."""
        return f"{self.seed}:{self.num_perm}:{self.shingle}:{self.max_chars}"


@dataclass(frozen=True)
class Edit:
    """One change a sender made to a campaign's template: ``insert`` (``template`` is empty), ``replace`` or
    ``delete`` (``text`` is empty). ``start``/``end`` locate ``text`` in ``clean_text`` of the copy."""

    kind: str
    template: str
    text: str
    start: int
    end: int


@dataclass
class Campaign:
    """Identical or near-identical comments: a form letter and the copies its senders sent, some edited."""

    key: str
    template_id: int
    template_text: str
    comment_ids: list[int]
    edits: dict[int, tuple[Edit, ...]]  # only the copies that differ from the template in words
    articles: dict[str | None, int]

    @property
    def size(self) -> int:
        return len(self.comment_ids)

    @property
    def identical(self) -> bool:
        """Every copy is the template word for word (punctuation, width and case aside)."""
        return not self.edits


@dataclass
class Topic:
    """Distinct comments on one article that speak about the same thing."""

    key: str
    article: str | None
    keywords: list[str]
    comment_ids: list[int]
    representative_ids: list[int]

    @property
    def size(self) -> int:
        return len(self.comment_ids)


@dataclass
class Single:
    """A comment that belongs to no campaign and no topic."""

    key: str
    article: str | None
    comment_id: int

    @property
    def comment_ids(self) -> list[int]:
        return [self.comment_id]

    @property
    def size(self) -> int:
        return 1


Unit = Campaign | Topic | Single


@dataclass
class Summary:
    """Counts for the overview: numbers only, the wording is the page's."""

    comments: int
    by_article: dict[str | None, int]
    by_stance: dict[str, int]
    stance_by_article: dict[str | None, dict[str, int]]
    comments_by_unit_type: dict[str, int]
    units_by_type: dict[str, int]
    campaign_comments: int
    campaign_share: float  # of all comments, 0..1


@dataclass
class Analysis:
    """Units covering every comment exactly once, each comment's stance, and the summary."""

    campaigns: list[Campaign]
    topics: list[Topic]
    singles: list[Single]
    stances: dict[int, str]
    summary: Summary
    seconds: dict[str, float] = field(default_factory=dict)  # wall (and "<step>_cpu") seconds per step, for logs
    # Campaign signatures computed in this run (comment id → identity key, MinHash signature as little-endian
    # uint32 bytes), for the next run's ``analyse(signatures=...)``; and how many texts were hashed.
    signatures: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)
    hashed: int = 0

    def units(self) -> Iterator[Unit]:
        yield from self.campaigns
        yield from self.topics
        yield from self.singles

    def unit_of(self) -> dict[int, str]:
        """Comment id → key of its unit."""
        return {cid: unit.key for unit in self.units() for cid in unit.comment_ids}
