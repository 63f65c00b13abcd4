"""The analysis from comments to units: campaigns first, then topics per article, the rest singles."""

import time
from collections import Counter
from collections.abc import Iterable, Mapping

from consult.analysis import topics
from consult.analysis.campaigns import CampaignIndex, campaign_units
from consult.analysis.memory import memory_mb
from consult.analysis.model import (
    CAMPAIGN,
    SINGLE,
    STANCES,
    TOPIC,
    Analysis,
    Comment,
    Parameters,
    Single,
    Summary,
    Topic,
)
from consult.analysis.prepare import clean_text
from consult.analysis.stance import Lexicon, default_lexicon
from consult.tokens import Terms, content_tokens


def analyse(comments: Iterable[Comment | tuple[int, str | None, str]], *, lexicon: Lexicon | None = None,
            terms: Terms | None = None, parameters: Parameters | None = None,
            signatures: Mapping[int, tuple[bytes, bytes]] | None = None) -> Analysis:
    """Units (campaigns, topics, singles) covering every comment once, each comment's stance, the summary.

    ``comments`` are (id, article anchor or None, text); ids must be unique. ``lexicon`` decides stances
    (default: the shipped one), ``terms`` are the draft's words to keep whole (``Terms.from_draft``).
    The result depends only on the input and the parameters, not on the input's order. ``signatures`` are
    the campaign signatures of an earlier run (``Analysis.signatures``: comment id → identity key and MinHash
    signature, for the same parameters): texts found there are not hashed again; the result is the same.
    """
    p = parameters or Parameters()
    lexicon = lexicon or default_lexicon()
    clock = _Clock()
    ordered = sorted((Comment(*c) for c in comments), key=lambda c: c.id)
    ids = [c.id for c in ordered]
    if len(set(ids)) != len(ids):
        duplicated = sorted(i for i, n in Counter(ids).items() if n > 1)[:5]
        raise ValueError(f"comment ids must be unique; repeated: {duplicated}")
    article_of = {c.id: c.article for c in ordered}
    clean = {c.id: clean_text(c.text) for c in ordered}
    clock.lap("prepare")
    stances = {cid: lexicon.stance(text) for cid, text in clean.items()}
    clock.lap("stance")
    campaigns, blank, new_signatures, hashed = _campaigns(clean, article_of, p, clock, signatures)
    grouped = {cid for c in campaigns for cid in c.comment_ids}
    singles = [Single(f"single-{cid}", article_of[cid], cid) for cid in blank]
    rest: dict[str | None, list[int]] = {}
    for cid in ids:
        if cid not in grouped and cid not in blank:
            rest.setdefault(article_of[cid], []).append(cid)
    topics_found = []
    for article in sorted(rest, key=lambda a: (a is not None, a or "")):
        members = rest[article]
        clusters, leftovers = topics.cluster([content_tokens(clean[cid][:p.max_chars], terms) for cid in members], p)
        for number, found in enumerate(clusters, 1):
            topics_found.append(Topic(
                key=f"topic-{article or 'draft'}-{number}", article=article, keywords=found.keywords,
                comment_ids=[members[i] for i in found.members],
                representative_ids=[members[i] for i in found.representatives],
            ))
        singles += [Single(f"single-{members[i]}", article, members[i]) for i in leftovers]
    singles.sort(key=lambda s: s.comment_id)
    clock.lap("topics")
    summary = _summary(ordered, stances, campaigns, topics_found, singles)
    clock.lap("summary")
    return Analysis(campaigns, topics_found, singles, stances, summary, clock.seconds, new_signatures, hashed)


def _campaigns(clean: dict[int, str], article_of: dict, p: Parameters, clock: "_Clock", signatures=None):
    """Campaign units, largest first, the blank comments, the signatures computed and how many texts were
    hashed. The index is dropped on return."""
    index = CampaignIndex(p)
    index.add(clean.items(), known=signatures)
    index.forget_founders()  # the lookup is most of the index's memory; the diffs and topics need none of it
    clock.lap("campaign_index")
    campaigns = campaign_units(index, clean, article_of)
    clock.lap("campaign_units")
    return campaigns, set(index.blank), index.new_signatures, index.hashed


def _summary(ordered: list[Comment], stances: dict[int, str], campaigns, topics_found, singles) -> Summary:
    """The counts of the overview."""
    by_article = Counter(c.article for c in ordered)
    stance_by_article: dict[str | None, Counter] = {}
    for c in ordered:
        stance_by_article.setdefault(c.article, Counter())[stances[c.id]] += 1
    campaign_comments = sum(c.size for c in campaigns)
    comments_by_type = {CAMPAIGN: campaign_comments, TOPIC: sum(t.size for t in topics_found), SINGLE: len(singles)}
    return Summary(
        comments=len(ordered),
        by_article=dict(by_article),
        by_stance={s: sum(1 for v in stances.values() if v == s) for s in STANCES},
        stance_by_article={a: {s: counts[s] for s in STANCES} for a, counts in stance_by_article.items()},
        comments_by_unit_type=comments_by_type,
        units_by_type={CAMPAIGN: len(campaigns), TOPIC: len(topics_found), SINGLE: len(singles)},
        campaign_comments=campaign_comments,
        campaign_share=campaign_comments / len(ordered) if ordered else 0.0,
    )


class _Clock:
    """Wall and CPU seconds per step, and the process's memory at the end of each (see :func:`memory_mb`)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.seconds[step] = round(wall - self._wall, 3)
        self.seconds[f"{step}_cpu"] = round(cpu - self._cpu, 3)
        self.seconds.update(memory_mb(step))
        self._wall, self._cpu = wall, cpu

