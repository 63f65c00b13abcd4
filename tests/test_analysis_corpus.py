"""The analysis end to end on labelled comments: a hand-written set in the style of real 征求意见 feedback, a
blind set for stance, and the generated benchmark corpus. The bars are the measured figures (docs/analysis.md)
minus a small margin, so a change that makes the analysis worse fails here."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.analysis import campaign_scores, stance_scores, topic_scores
from bench.corpus import LETTERS, generate
from consult.analysis import analyse
from consult.tokens import Terms

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(**json.loads(line)) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


def scores(rows, **options):
    result = analyse([(r.id, r.article, r.text) for r in rows], **options)
    units = result.unit_of()
    kinds = {u.key: type(u).__name__.lower() for u in result.units()}
    return result, units, kinds


@pytest.fixture(scope="module")
def hand_written():
    rows = load("analysis_comments.jsonl")
    return rows, *scores(rows)


def test_the_hand_written_set_is_what_it_claims_to_be():
    rows = load("analysis_comments.jsonl")
    assert len(rows) >= 300 and len({r.id for r in rows}) == len(rows)
    assert {r.stance for r in rows} == {"支持", "反对", "建议修改", "其他"}
    assert {r.campaign for r in rows} == {None, "A", "B", "C", "D"}


def test_every_hand_written_comment_is_in_exactly_one_unit(hand_written):
    rows, result, _units, _kinds = hand_written
    placed = [cid for unit in result.units() for cid in unit.comment_ids]
    assert sorted(placed) == sorted(r.id for r in rows)


def test_the_hand_written_campaigns_are_found_with_their_edits(hand_written):
    rows, result, units, kinds = hand_written
    found = campaign_scores(rows, units, kinds)
    assert found["pair_precision"] >= 0.95 and found["pair_recall"] >= 0.95  # measured 1.0 and 1.0
    assert found["campaigns_found"] == 4
    letter_a = next(c for c in result.campaigns if c.size == 18)
    edited = [e for edits in letter_a.edits.values() for e in edits]
    assert any(e.kind == "insert" and "朋友出国前托付给我的" in e.text for e in edited)


def test_the_hand_written_topics_are_pure(hand_written):
    rows, _result, units, kinds = hand_written
    found = topic_scores(rows, units, kinds)
    assert found["purity"] >= 0.83  # measured 0.881
    assert found["coverage"] >= 0.85  # measured 0.907


def test_stances_of_the_hand_written_set(hand_written):
    rows, result, units, kinds = hand_written
    found = stance_scores(rows, {str(k): v for k, v in result.stances.items()}, kinds, units)
    assert found["accuracy_all"] >= 0.92  # measured 0.959 (the lexicon was revised after reading its errors)


def test_stances_of_the_blind_set():
    rows = load("analysis_stance_holdout.jsonl")
    result, _units, _kinds = scores(rows)
    right = sum(result.stances[r.id] == r.stance for r in rows)
    assert right / len(rows) >= 0.70  # measured 0.76 on 79 comments nobody tuned the lexicon on


def test_a_drafts_terms_become_words_of_the_topics(hand_written):
    rows, without_terms, _units, _kinds = hand_written
    terms = Terms.from_draft("本规定所称“犬只”，是指家养的狗。")
    with_terms, _units, _kinds = scores(rows, terms=terms)
    assert "犬只" in {k for t in with_terms.topics for k in t.keywords}
    assert "犬只" not in {k for t in without_terms.topics for k in t.keywords}


def test_the_corpus_generator_is_seedable_and_labelled():
    first, again, other = generate(500, seed=3), generate(500, seed=3), generate(500, seed=4)
    assert first == again and first != other
    assert [c.id for c in first] == list(range(1, 501))
    assert sum(1 for c in first if c.campaign) == 300
    assert {c.campaign for c in first if c.campaign} == {letter.key for letter in LETTERS}
    assert all(c.topic and c.stance in {"支持", "反对", "建议修改", "其他"} for c in first)


def test_the_generated_corpus_meets_the_quality_bars():
    corpus = generate(3_000, seed=11)
    _result, units, kinds = scores(corpus)
    campaigns = campaign_scores(corpus, units, kinds)
    assert campaigns["pair_precision"] >= 0.95 and campaigns["pair_recall"] >= 0.95  # measured 1.0 and 0.986
    assert campaigns["comment_precision"] >= 0.95 and campaigns["comment_recall"] >= 0.95
    assert topic_scores(corpus, units, kinds)["purity"] >= 0.85  # measured 0.92
