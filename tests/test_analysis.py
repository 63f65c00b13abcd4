"""Comment analysis: campaigns with what each sender changed, topics per article, singles, stances and the
summary an official reads before answering thousands of comments."""

import pickle

import pytest

from consult.analysis import (
    OPPOSE,
    OTHER,
    REVISE,
    SUPPORT,
    CampaignIndex,
    Edit,
    Lexicon,
    Parameters,
    analyse,
    clean_text,
    stance,
)
from consult.analysis.diffs import template_edits

LETTER = ("我们坚决反对第五条关于电动自行车每年收取管理费的规定。电动自行车是普通市民上下班的代步工具，"
          "每年收费加重了群众负担。请删除第五条中收取管理费的内容。")
PARKING = ["小区停车位太少，晚上回家根本找不到停车位", "停车位不够用，建议在小区空地增设停车位",
           "老小区没有停车位，车只能停在路边", "希望多建一些停车位，现在停车位一位难求",
           "停车位被外来车辆占用，业主反而没有停车位", "停车位收费太高，一个停车位一个月三百元"]
CHARGING = ["充电桩数量太少，下班以后充电桩排不上队", "建议每栋楼下安装充电桩，方便电动车充电",
            "充电桩经常坏了没人修，充电很不方便", "充电桩的充电费用比家里贵很多",
            "小区里只有两个充电桩，几百辆电动车怎么充电", "希望物业增加充电桩并且公开充电收费标准"]


def units_of(result):
    return result.unit_of()


def test_identical_letters_and_edited_copies_form_one_campaign_showing_only_what_senders_changed():
    comments = [
        (1, "art-5", LETTER),
        (2, "art-5", LETTER.replace("，", ",")),  # the same words, other punctuation
        (3, None, "我是一名外卖骑手，" + LETTER),
        (4, "art-5", LETTER.replace("坚决反对", "强烈反对")),
        (5, "art-5", LETTER),
        (6, "art-3", "头盔夏天太热了，能不能只在冬天要求佩戴头盔"),
    ]
    result = analyse(comments)
    [campaign] = result.campaigns
    assert campaign.comment_ids == [1, 2, 3, 4, 5]
    assert campaign.template_id == 1 and campaign.template_text == LETTER
    assert campaign.articles == {"art-5": 4, None: 1}
    assert not campaign.identical
    assert campaign.edits == {
        3: (Edit("insert", "", "我是一名外卖骑手，", 0, 9),),
        4: (Edit("replace", "坚决", "强烈", 2, 4),),
    }
    assert units_of(result)[6] != campaign.key


def test_a_campaign_of_identical_texts_has_no_edits():
    result = analyse([(i, None, "强烈支持出台这个办法！" if i % 2 else " 强烈支持出台这个办法!") for i in range(1, 6)])
    [campaign] = result.campaigns
    assert campaign.identical and campaign.size == 5


def test_two_identical_comments_are_not_yet_a_campaign():
    result = analyse([(1, None, LETTER), (2, None, LETTER), (3, None, "第三条写得很清楚")])
    assert result.campaigns == []
    assert sorted(cid for u in result.units() for cid in u.comment_ids) == [1, 2, 3]


def test_short_comments_sharing_one_stock_sentence_are_no_campaign_but_an_edited_form_letter_is():
    stock = "超标车应该退出了，设过渡期很合理。"  # one sentence that people writing on their own share
    own = ["关于淘汰期限表示赞同。", "淘汰期限定得很好。", "淘汰期限这一条我赞同。", "我赞成淘汰期限的规定。"]
    comments = [(i, "art-7", words + stock) for i, words in enumerate(own, 1)]
    comments += [(10, "art-5", LETTER), (11, "art-5", "我是一名外卖骑手，" + LETTER),
                 (12, "art-5", LETTER.replace("坚决反对", "强烈反对").replace("加重了群众负担", "加重了负担"))]
    comments += [(20 + i, "art-3", "我们一致认为" + stock) for i in range(3)]  # the same words: a campaign at any length
    short = "请在每个村设立政务公开查阅点，方便老年人就近查阅政策文件。"  # a short letter: nearly all of its words kept
    comments += [(30, None, short), (31, None, short), (32, None, short.replace("请在", "请尽快在"))]
    result = analyse(comments)
    assert sorted(c.comment_ids for c in result.campaigns) == [[10, 11, 12], [20, 21, 22], [30, 31, 32]]
    campaign_keys = {c.key for c in result.campaigns}
    assert not {units_of(result)[i] for i in range(1, 5)} & campaign_keys


def test_the_template_is_the_text_sent_most_often_not_the_first_one():
    edited = "我家住在城东，" + LETTER
    result = analyse([(1, None, edited), (2, None, LETTER), (3, None, LETTER), (4, None, LETTER + "谢谢！")])
    [campaign] = result.campaigns
    assert campaign.template_id == 2
    assert set(campaign.edits) == {1, 4}


def test_topics_group_an_articles_distinct_comments_by_what_they_are_about():
    comments = [(i, "art-5", text) for i, text in enumerate(PARKING + CHARGING, 1)]
    result = analyse(comments)
    assert result.campaigns == []
    assert len(result.topics) == 2
    parking, charging = sorted(result.topics, key=lambda t: min(t.comment_ids))
    assert sorted(parking.comment_ids) == [1, 2, 3, 4, 5, 6] and "停车位" in parking.keywords[:2]
    assert sorted(charging.comment_ids) == [7, 8, 9, 10, 11, 12] and "充电" in charging.keywords[:2]
    for topic in result.topics:
        assert topic.article == "art-5" and len(topic.representative_ids) == 3
        assert set(topic.representative_ids) <= set(topic.comment_ids)


def test_topics_are_per_article():
    comments = [(i, "art-5", t) for i, t in enumerate(PARKING, 1)] + [(i, "art-6", t) for i, t in enumerate(CHARGING, 7)]
    result = analyse(comments)
    assert {t.article for t in result.topics} <= {"art-5", "art-6"}
    for topic in result.topics:
        assert {dict(comments_by_id(comments))[c] for c in topic.comment_ids} == {topic.article}


def comments_by_id(comments):
    return [(cid, article) for cid, article, _text in comments]


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "<p></p>", "？？？", "\n\t"])
def test_blank_and_symbol_only_comments_are_singles(text):
    result = analyse([(1, None, text), *[(i, "art-5", t) for i, t in enumerate(PARKING, 2)]])
    assert any(s.comment_id == 1 for s in result.singles)


def test_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="unique"):
        analyse([(1, None, "一"), (1, None, "二")])


def test_the_result_does_not_depend_on_the_order_of_the_input():
    comments = [(i, "art-5", t) for i, t in enumerate(PARKING + CHARGING, 1)]
    comments += [(100 + i, "art-5", LETTER + "谢谢" * i) for i in range(4)]
    first, second = analyse(comments), analyse(list(reversed(comments)))
    assert units_of(first) == units_of(second)
    assert [t.keywords for t in first.topics] == [t.keywords for t in second.topics]
    assert first.stances == second.stances


def test_summary_counts_articles_stances_units_and_the_campaign_share():
    comments = [(i, "art-5", LETTER) for i in range(1, 5)]
    comments += [(10 + i, "art-6", t) for i, t in enumerate(CHARGING)]
    comments += [(20, None, "请问什么时候实施？")]
    result = analyse(comments)
    summary = result.summary
    assert summary.comments == 11
    assert summary.by_article == {"art-5": 4, "art-6": 6, None: 1}
    assert sum(summary.by_stance.values()) == 11 and summary.by_stance[OPPOSE] >= 4
    assert summary.stance_by_article["art-5"][OPPOSE] == 4
    assert summary.campaign_comments == 4 and summary.campaign_share == pytest.approx(4 / 11)
    assert sum(summary.comments_by_unit_type.values()) == 11
    assert summary.units_by_type["campaign"] == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("完全支持！", SUPPORT),
    ("不支持这个办法", OPPOSE),
    ("我并不认同这样的规定", OPPOSE),
    ("不反对收费", SUPPORT),
    ("坚决反对收费", OPPOSE),
    ("不仅支持，还要点赞", SUPPORT),
    ("非常支持，希望尽快实施", SUPPORT),
    ("建议尽快实施", SUPPORT),
    ("支持这个办法，但建议第三条的期限改为三十天", REVISE),
    ("虽然有些问题，但总体赞成", SUPPORT),
    ("建议把过渡期延长到三年", REVISE),
    ("不应该收费", OPPOSE),
    ("请问什么时候实施？", OTHER),
    ("谢谢你们的工作", OTHER),
    ("", OTHER),
])
def test_stance_comes_from_the_lexicon_with_negations_and_turns(text, expected):
    assert stance(text) == expected


def test_an_edited_lexicon_changes_the_stances():
    lexicon = Lexicon.from_toml('[[stance]]\nlabel = "支持"\nstrong = ["点赞"]\n')
    result = analyse([(1, None, "点赞"), (2, None, "坚决反对")], lexicon=lexicon)
    assert result.stances == {1: SUPPORT, 2: OTHER}


@pytest.mark.parametrize(("toml", "reason"), [
    ("[[stance]\n", "not valid TOML"),
    ('[[stance]]\nlabel = "赞美"\ncues = ["好"]\n', "unknown stance"),
    ('[[stance]]\nlabel = "支持"\nwhen_negated = "讨厌"\ncues = ["好"]\n', "unknown stance"),
    ('[[stance]]\nlabel = "支持"\ncues = []\n', "no cue phrases"),
])
def test_a_wrong_lexicon_is_refused_with_its_reason(toml, reason):
    with pytest.raises(ValueError, match=reason):
        Lexicon.from_toml(toml)


def test_html_is_read_as_its_text():
    assert clean_text("<p>强烈<b>反对</b>！</p><script>alert(1)</script>&amp;") == "强烈反对！&"
    assert stance("<p>强烈<b>反对</b></p>") == OPPOSE


def test_edits_locate_the_senders_words_and_ignore_punctuation():
    template = "我们建议延长过渡期。"
    assert template_edits(template, "我们建议延长过渡期.", 10_000) == ()
    assert template_edits(template, "我们强烈建议延长过渡期到三年。", 10_000) == (
        Edit("insert", "", "强烈", 2, 4), Edit("insert", "", "到三年", 11, 14))
    assert template_edits(template, "我们建议过渡期。", 10_000) == (Edit("delete", "延长", "", 4, 4),)


def test_a_campaign_index_grows_without_starting_over_and_survives_pickling():
    whole = CampaignIndex(Parameters())
    whole.add([(i, LETTER + "谢" * i) for i in range(6)] + [(10, "完全不同的一条意见，关于停车位的问题")])
    part = CampaignIndex(Parameters())
    part.add([(i, LETTER + "谢" * i) for i in range(3)])
    part = pickle.loads(pickle.dumps(part))
    part.add([(i, LETTER + "谢" * i) for i in range(3, 6)] + [(10, "完全不同的一条意见，关于停车位的问题")])
    ids = lambda index: sorted(sorted(c for n in g for c in index.copies[n]) for g in index.groups())
    assert ids(part) == ids(whole) == [[0, 1, 2, 3, 4, 5], [10]]


def test_a_chain_of_overlapping_comments_does_not_join_comments_that_share_nothing():
    sentences = ["小区门口的路灯坏了很久", "早上送孩子上学很不方便", "菜市场附近经常堵车严重", "公园里的健身器材太旧了",
                 "公交车站离家实在太远了", "垃圾桶摆放位置不太合理", "楼道里堆满了各种杂物啊", "夜里广场舞的音乐太吵了",
                 "图书馆开放时间有点太短", "河边步道的栏杆松动了"]
    window = ["，".join(sentences[i:i + 4]) for i in range(7)]  # each shares three sentences with the next
    # Comments 1-4 share two sentences with their neighbours (no match); 5-7 each bridge two of them.
    comments = [(1, None, window[0]), (2, None, window[2]), (3, None, window[4]), (4, None, window[6]),
                (5, None, window[1]), (6, None, window[3]), (7, None, window[5])]
    result = analyse(comments, parameters=Parameters(num_perm=256))  # precise estimates: the chain links
    for campaign in result.campaigns:
        assert not {1, 4} <= set(campaign.comment_ids)
    assert sorted(c for u in result.units() for c in u.comment_ids) == list(range(1, 8))


def test_signatures_of_an_earlier_run_are_reused_and_give_the_same_units():
    comments = [(i, None, text) for i, text in enumerate([
        "强烈建议将政务公开专区延伸到每个村，方便老年人就近查阅政策文件。",
        "强烈建议将政务公开专区延伸到每个村，方便老年人就近查阅政策文件。",
        "我建议将政务公开专区延伸到每个村，方便老年人就近查阅政策文件和通知。",
        "强烈建议将政务公开专区延伸到每个社区，方便老年人就近查阅政策文件。",
        "第四条的开放日次数太少，建议每季度举办一次，并提前一个月公布报名方式。",
    ], 1)]
    first = analyse(comments[:4])
    assert first.hashed == 3 and set(first.signatures) == {1, 3, 4}
    again = analyse(comments, signatures=first.signatures)
    assert again.hashed == 1 and set(again.signatures) == {5}
    whole = analyse(comments)
    assert [(u.key, u.comment_ids) for u in again.units()] == [(u.key, u.comment_ids) for u in whole.units()]
    # A signature stored for another text of that comment is not trusted.
    stale = {1: (b"x" * 16, first.signatures[1][1])}
    assert analyse(comments[:4], signatures=stale).hashed == 3
