"""Writing a run's results: units and members in short batches under the run's id, then one short publishing
transaction that carries people's decisions over from the previous run and makes the new run visible."""

from collections import Counter
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from consult.analysis import OPPOSE, OTHER, REVISE, SUPPORT, Analysis, Campaign, Topic
from consult.database import insert_rows, utcnow
from consult.drafts.models import Comment
from consult.extensions import db
from consult.workbench.models import (
    CAMPAIGN, DONE, SINGLE, TOPIC, AnalysisMember, AnalysisRun, AnalysisUnit, CampaignSignature, UnitChange,
)  # fmt: skip
from consult.workbench.sources import Source

WRITE_BATCH = 5000
DELETE_BATCH = 5000
STANCE_CODES = {SUPPORT: "support", OPPOSE: "oppose", REVISE: "revise", OTHER: "other"}
DECISION_FIELDS = ("read_at", "read_by_id", "disposition", "disposition_reason", "decided_at", "decided_by_id")


def _anchor(articles: dict[str | None, int]) -> str:
    """The article most of a campaign's copies were written on ("" = the whole draft)."""
    anchor, _n = max(articles.items(), key=lambda kv: (kv[1], kv[0] is not None, kv[0] or ""))
    return anchor or ""


def _unit_rows(run_id: int, result: Analysis) -> list[dict]:
    rows = []
    for position, unit in enumerate(result.units(), 1):
        row = {"run_id": run_id, "key": unit.key, "position": position, "size": unit.size, "keywords": [],
               "representative_ids": [], "edited_count": 0}
        if isinstance(unit, Campaign):
            row.update(kind=CAMPAIGN, article_anchor=_anchor(unit.articles), lead_comment_id=unit.template_id,
                       edited_count=len(unit.edits))
        elif isinstance(unit, Topic):
            row.update(kind=TOPIC, article_anchor=unit.article or "", lead_comment_id=unit.representative_ids[0],
                       keywords=list(unit.keywords), representative_ids=list(unit.representative_ids))
        else:
            row.update(kind=SINGLE, article_anchor=unit.article or "", lead_comment_id=unit.comment_id)
        rows.append(row)
    return rows


def write_units(run_id: int, result: Analysis, heartbeat: Callable[[int], None]) -> None:
    """Insert the run's units, then its members in batches of :data:`WRITE_BATCH`, each its own transaction
    (``heartbeat(n)`` records the progress and commits). Nothing is visible until :func:`publish`."""
    unit_rows = _unit_rows(run_id, result)
    for start in range(0, len(unit_rows), WRITE_BATCH):
        db.session.execute(sa.insert(AnalysisUnit), unit_rows[start:start + WRITE_BATCH])
        heartbeat(0)
    unit_ids = dict(db.session.execute(sa.select(AnalysisUnit.key, AnalysisUnit.id)
                                       .where(AnalysisUnit.run_id == run_id)).all())
    db.session.commit()  # end the read: each batch's transaction begins with its insert
    batch, written = [], 0
    for unit in result.units():
        unit_id, edits = unit_ids[unit.key], getattr(unit, "edits", {})
        for cid in unit.comment_ids:
            changes = edits.get(cid)
            batch.append({
                "run_id": run_id, "comment_id": cid, "unit_id": unit_id,
                "stance": STANCE_CODES[result.stances[cid]], "overridden": False,
                "edits": [[e.kind, e.template, e.text] for e in changes] if changes else None,
            })
            if len(batch) == WRITE_BATCH:
                insert_rows(db.session.connection(), AnalysisMember.__table__, batch)
                written += len(batch)
                batch = []
                heartbeat(written)
    if batch:
        insert_rows(db.session.connection(), AnalysisMember.__table__, batch)
        heartbeat(written + len(batch))


def read_signatures(draft_id: int, params: str) -> dict[int, tuple[bytes, bytes]]:
    """The campaign signatures kept for the draft's comments under ``params``: comment id → (identity key,
    signature), for ``analyse(signatures=...)``."""
    rows = db.session.execute(
        sa.select(CampaignSignature.comment_id, CampaignSignature.text_key, CampaignSignature.signature)
        .join(Comment, Comment.id == CampaignSignature.comment_id)
        .where(Comment.draft_id == draft_id, CampaignSignature.params == params)
    )
    known = {comment_id: (bytes(key), bytes(signature)) for comment_id, key, signature in rows}
    db.session.commit()
    return known


def write_signatures(signatures: dict[int, tuple[bytes, bytes]], params: str) -> None:
    """Keep the signatures a run computed (replacing what was kept for those comments under other parameters
    or for another text), in batches of :data:`WRITE_BATCH`, each its own transaction beginning with its write.
    A cache: a run that fails later leaves correct signatures behind."""
    items = sorted(signatures.items())
    for start in range(0, len(items), WRITE_BATCH):
        chunk = items[start:start + WRITE_BATCH]
        db.session.execute(sa.delete(CampaignSignature).where(
            CampaignSignature.comment_id.in_([comment_id for comment_id, _value in chunk])))
        insert_rows(db.session.connection(), CampaignSignature.__table__, [
            {"comment_id": comment_id, "params": params, "text_key": key, "signature": signature}
            for comment_id, (key, signature) in chunk])
        db.session.commit()


def previous_run(run_id: int, source: Source) -> int | None:
    """The id of the run the source's pages showed before this one."""
    return db.session.scalar(sa.select(AnalysisRun.id).where(
        source.owns(), AnalysisRun.status == DONE, AnalysisRun.id != run_id,
    ).order_by(AnalysisRun.id.desc()).limit(1))


def _same_units(new_run: int, old_run: int) -> dict[int, int]:
    """New unit id → old unit id, for units with exactly the same comments."""
    new, old = aliased(AnalysisMember), aliased(AnalysisMember)
    overlap = db.session.execute(
        sa.select(new.unit_id, old.unit_id, sa.func.count())
        .join(old, sa.and_(old.comment_id == new.comment_id, old.run_id == old_run))
        .where(new.run_id == new_run).group_by(new.unit_id, old.unit_id)
    ).all()
    sizes = dict(db.session.execute(sa.select(AnalysisUnit.id, AnalysisUnit.size)
                                    .where(AnalysisUnit.run_id.in_((new_run, old_run)))).all())
    return {n: o for n, o, count in overlap if sizes[n] == count == sizes[o]}


def _uniform_dispositions(run_id: int) -> dict[int, tuple[str, str]]:
    """Unit id → (disposition, reason) for units whose comments all have one and the same disposition."""
    c = Comment
    rows = db.session.execute(
        sa.select(AnalysisMember.unit_id, sa.func.count(), sa.func.count(c.disposition),
                  sa.func.min(c.disposition), sa.func.max(c.disposition),
                  sa.func.min(c.disposition_reason), sa.func.max(c.disposition_reason))
        .join(c, c.id == AnalysisMember.comment_id).where(AnalysisMember.run_id == run_id)
        .group_by(AnalysisMember.unit_id)
    ).all()
    return {unit: (low, low_reason) for unit, n, decided, low, high, low_reason, high_reason in rows
            if n == decided and low == high and low_reason == high_reason}


def publish(run_id: int, source: Source, seconds: dict) -> None:
    """Carry decisions over from the previous run and mark the run done, then commit.

    A unit with exactly the comments of a unit of the previous run takes over its read mark and its
    disposition; any other unit whose comments all have one and the same disposition takes that one.
    Comments an official gave their own disposition stay overridden. The long reads run first in a read
    transaction; the short write transaction then begins with its first write and reads only the previous
    run's decisions (as they are at that moment) under the write lock. Written answers to a questionnaire
    have no dispositions: only read marks are carried over.
    """
    old = previous_run(run_id, source)
    uniform = _uniform_dispositions(run_id) if source.answered else {}
    same = _same_units(run_id, old) if old is not None else {}
    summary = _summary(run_id, source)
    db.session.commit()
    now = utcnow()
    db.session.execute(sa.update(AnalysisRun).where(AnalysisRun.id == run_id).values(heartbeat_at=now))
    carried: dict[int, dict] = {unit_id: {"disposition": disposition, "disposition_reason": reason}
                                for unit_id, (disposition, reason) in uniform.items()}
    if old is not None:
        decisions = {row.id: row for row in db.session.execute(
            sa.select(AnalysisUnit.id, *(getattr(AnalysisUnit, f) for f in DECISION_FIELDS))
            .where(AnalysisUnit.run_id == old)).all()}
        for new_id, old_id in same.items():
            previous = decisions.get(old_id)
            if previous is not None and (previous.disposition is not None or previous.read_at is not None):
                carried[new_id] = {f: getattr(previous, f) for f in DECISION_FIELDS}
        was_overridden = sa.select(AnalysisMember.comment_id).where(
            AnalysisMember.run_id == old, AnalysisMember.overridden.is_(True))
        db.session.execute(sa.update(AnalysisMember).where(
            AnalysisMember.run_id == run_id, AnalysisMember.comment_id.in_(was_overridden)).values(overridden=True))
        # The articles an adopted unit changed stay linked to the same unit of the new run.
        new_of = {old_id: new_id for new_id, old_id in same.items()}
        links = db.session.execute(sa.select(UnitChange.id, UnitChange.unit_id)
                                   .join(AnalysisUnit, AnalysisUnit.id == UnitChange.unit_id)
                                   .where(AnalysisUnit.run_id == old)).all()
        moved = [{"id": link_id, "unit_id": new_of[unit_id]} for link_id, unit_id in links if unit_id in new_of]
        if moved:
            db.session.execute(sa.update(UnitChange), moved)
    if carried:
        db.session.execute(sa.update(AnalysisUnit), [{"id": unit_id, **values} for unit_id, values in carried.items()])
    decided, undecided = counters(run_id)
    db.session.execute(sa.update(AnalysisRun).where(AnalysisRun.id == run_id).values(
        summary=summary, seconds=seconds, status=DONE, step="", finished_at=now, decided_comments=decided,
        undecided_units=undecided))
    db.session.commit()


def counters(run_id: int) -> tuple[int, int]:
    """The run's comments in decided units, and its units without a disposition."""
    decided, undecided = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((AnalysisUnit.disposition.is_not(None), AnalysisUnit.size), else_=0)), 0),
        sa.func.count().filter(AnalysisUnit.disposition.is_(None)),
    ).where(AnalysisUnit.run_id == run_id)).one()
    return int(decided), int(undecided)


def _summary(run_id: int, source: Source) -> dict:
    """The overview's numbers, stored with the run: stance by article (or question), items and units by kind,
    campaigns."""
    group = source.group.label("anchor")
    stance_rows = db.session.execute(
        source.joined(sa.select(group, AnalysisMember.stance, sa.func.count()), AnalysisMember.comment_id)
        .where(AnalysisMember.run_id == run_id)
        .group_by(group, AnalysisMember.stance)
    ).all()
    stance_by_article: dict[str, dict[str, int]] = {}
    by_stance: Counter = Counter()
    for anchor, stance, n in stance_rows:
        stance_by_article.setdefault(anchor or "", {})[stance] = n
        by_stance[stance] += n
    unit_rows = db.session.execute(
        sa.select(AnalysisUnit.kind, sa.func.count(), sa.func.sum(AnalysisUnit.size))
        .where(AnalysisUnit.run_id == run_id).group_by(AnalysisUnit.kind)
    ).all()
    units = {kind: int(n) for kind, n, _size in unit_rows}
    comments_by_kind = {kind: int(size or 0) for kind, _n, size in unit_rows}
    total = sum(comments_by_kind.values())
    campaign_comments = comments_by_kind.get(CAMPAIGN, 0)
    return {
        "comments": total,
        "by_stance": dict(by_stance),
        "stance_by_article": stance_by_article,
        "units_by_kind": {k: units.get(k, 0) for k in (CAMPAIGN, TOPIC, SINGLE)},
        "comments_by_kind": {k: comments_by_kind.get(k, 0) for k in (CAMPAIGN, TOPIC, SINGLE)},
        "campaign_comments": campaign_comments,
        "campaign_share": campaign_comments / total if total else 0.0,
    }


def discard(run_id: int) -> None:
    """Delete what a run wrote (members, then units), in batches each committed."""
    while True:
        ids = sa.select(AnalysisMember.comment_id).where(AnalysisMember.run_id == run_id).limit(DELETE_BATCH)
        deleted = db.session.execute(sa.delete(AnalysisMember).where(
            AnalysisMember.run_id == run_id, AnalysisMember.comment_id.in_(ids.scalar_subquery()))).rowcount
        db.session.commit()
        if not deleted:
            break
    db.session.execute(sa.delete(UnitChange).where(UnitChange.unit_id.in_(
        sa.select(AnalysisUnit.id).where(AnalysisUnit.run_id == run_id))))
    db.session.execute(sa.delete(AnalysisUnit).where(AnalysisUnit.run_id == run_id))
    db.session.commit()


def forget_older_runs(run_id: int, source: Source) -> None:
    """Delete the units of the source's earlier runs (their rows stay as the history of runs)."""
    older = db.session.scalars(sa.select(AnalysisRun.id).where(source.owns(), AnalysisRun.id < run_id)).all()
    db.session.commit()
    for old_id in older:
        discard(old_id)
