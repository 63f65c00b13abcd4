"""Whatever citizens send — nothing, emoji, HTML, other scripts, 50,000 characters — the analysis never fails
and puts every comment in exactly one unit (property tests on plain functions; no database)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.analysis import STANCES, analyse, clean_text
from consult.analysis.diffs import template_edits

LETTER = "我们坚决反对第五条关于电动自行车每年收取管理费的规定，请删除收取管理费的内容。"
PIECES = [
    LETTER, "建议延长过渡期", "停车位太少", "充电桩不够", "😀👍🎉", "<p>支持<b>！</b></p>", "<script>x()</script>",
    "Please add an English version", "Привет", "مرحبا", "１２３ＡＢＣ", "L-20261122-00042", "138 1234 5678",
    "&amp;&lt;", "\u200b\ufeff", "第三条", "　", "\n\n", "?!…", "不支持", "但是",
]
texts = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
    st.builds(lambda letter, extra: letter + extra, st.just(LETTER), st.text(max_size=30)),
)
comment_lists = st.lists(
    st.tuples(st.sampled_from([None, "art-1", "art-2"]), texts), max_size=40,
).map(lambda rows: [(i, article, text) for i, (article, text) in enumerate(rows, 1)])
# Each example analyses up to 40 comments (about a second of work): 25 lists of them, mixing empty, hostile,
# foreign and campaign-letter texts, reach every unit type and campaigns; more examples added minutes, not cases.
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_every_comment_once(comments, result):
    placed = [cid for unit in result.units() for cid in unit.comment_ids]
    assert sorted(placed) == sorted(cid for cid, _a, _t in comments)
    assert set(result.stances) == {cid for cid, _a, _t in comments}
    assert set(result.stances.values()) <= set(STANCES)
    summary = result.summary
    assert summary.comments == len(comments) == sum(summary.by_stance.values())
    assert sum(summary.comments_by_unit_type.values()) == len(comments)


@PROPERTY
@given(comment_lists)
def test_every_comment_lands_in_exactly_one_unit(comments):
    assert_every_comment_once(comments, analyse(comments))


@PROPERTY
@given(comment_lists)
def test_campaign_edits_point_at_the_senders_own_words(comments):
    result = analyse(comments)
    text_of = {cid: clean_text(text) for cid, _a, text in comments}
    for campaign in result.campaigns:
        for cid, edits in campaign.edits.items():
            for edit in edits:
                assert text_of[cid][edit.start:edit.end] == edit.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_every_edit_is_found_in_the_copy(template, copy):
    for edit in template_edits(template, copy, 10_000):
        assert copy[edit.start:edit.end] == edit.text
        assert edit.kind in {"insert", "replace", "delete"}


def test_very_long_mixed_comments_are_analysed():
    long_text = ("我认为第三条的规定不合理，建议修改。" * 2_000 + "<div>" + "x" * 10_000 + "</div>" + "😀" * 5_000)[:50_000]
    comments = [(1, "art-1", long_text), (2, "art-1", long_text), (3, "art-1", long_text + "另外还想补充一点。"),
                (4, "art-2", "停车位太少"), (5, None, "")]
    result = analyse(comments)
    assert_every_comment_once(comments, result)
    assert [c.comment_ids for c in result.campaigns] == [[1, 2, 3]]
