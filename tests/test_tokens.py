"""The Chinese tokeniser shared by comment analysis and search: what becomes a token, terms a draft defines,
stop words, and a dictionary cache that never gets in the way."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.text import normalize_text
from consult.tokens import Terms, content_tokens, draft_terms, normalize, search_tokens, stop_words, tokens

ROOT = Path(__file__).resolve().parent.parent


def test_chinese_is_segmented_into_words_in_precise_mode():
    assert tokens("我们坚决反对收取管理费") == ["我们", "坚决", "反对", "收取", "管理费"]


def test_search_mode_also_gives_the_words_inside_a_long_word():
    assert tokens("中华人民共和国宪法") == ["中华人民共和国宪法"]
    assert {"中华人民共和国宪法", "人民", "共和国", "宪法"} <= set(search_tokens("中华人民共和国宪法"))
    assert {"管理", "管理费", "自行车", "自行"} <= set(search_tokens("自行车管理费"))


@pytest.mark.parametrize(("text", "token"), [
    ("查询编号L-20261122-00042还没有答复", "l-20261122-00042"),
    ("查询码ABCD-EFGH-JKMN", "abcd-efgh-jkmn"),
    ("电话138-1234-5678", "138-1234-5678"),
    ("请打 138 1234 5678 找我", "13812345678"),
    ("电话+86 138 1234 5678", "13812345678"),
    ("座机0571-88886666", "0571-88886666"),
    ("支持5G网络覆盖", "5g"),
    ("小区wifi太差", "wifi"),
    ("增幅3.5%", "3.5"),
    ("ＡＢＣ公司", "abc"),
])
def test_latin_words_numbers_tracking_numbers_and_phones_stay_whole(text, token):
    assert token in tokens(text)


def test_search_tokens_also_index_the_parts_of_numbers_and_codes():
    found = search_tokens("编号L-20261122-00042，电话138-1234-5678")
    assert {"l-20261122-00042", "20261122", "00042", "138-1234-5678", "5678"} <= set(found)


@pytest.mark.parametrize("text", ["第三条", "第3条", "第 3 条", "第３条"])
def test_article_references_become_one_token_whatever_their_numerals(text):
    assert tokens(f"关于{text}的意见") == ["关于", "第3条", "的", "意见"]


def test_large_chinese_numerals_in_article_references():
    assert "第12条" in tokens("第十二条写得不清楚")
    assert "第105条" in tokens("第一百零五条")
    assert "第2款" in tokens("第二款")


def test_punctuation_symbols_and_emoji_are_not_tokens():
    assert tokens("？！，。……😀😀 👍 ——") == []
    assert tokens("") == tokens(None) == []


def test_a_drafts_defined_terms_and_titles_stay_whole():
    draft = "## 总则\n第二条【网格化管理】本办法所称“网格员”，是指在社区网格中负责巡查的人员。\n依据《中华人民共和国政府信息公开条例》。"
    terms = Terms.from_draft(draft)
    assert {"网格员", "网格化管理", "中华人民共和国政府信息公开条例", "总则"} <= terms.words
    assert tokens("网格员的工资太低", terms)[0] == "网格员"
    assert "网格员" not in tokens("网格员的工资太低")  # without the draft's terms jieba splits it


def test_draft_terms_finds_defined_terms():
    assert "物业服务人" in draft_terms("本条例所称物业服务人，是指提供物业服务的企业。")


def test_terms_of_two_drafts_used_at_once_in_threads_do_not_mix():
    first, second = Terms(["网格员"]), Terms(["格员的"])
    results: dict[str, list[list[str]]] = {"first": [], "second": []}

    def work(name, terms):
        for _ in range(200):
            results[name].append(tokens("网格员的工作", terms))

    threads = [threading.Thread(target=work, args=("first", first)), threading.Thread(target=work, args=("second", second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r[0] == "网格员" for r in results["first"])
    assert all("格员的" in r for r in results["second"])
    assert "网格员" not in tokens("网格员的工作")


def test_content_tokens_leave_out_stop_words_but_stance_words_still_count():
    from consult.analysis import stance

    text = "我们建议把过渡期延长到三年"
    assert "建议" in stop_words() and "我们" in stop_words()
    assert content_tokens(text) == ["过渡期", "延长", "三年"]
    assert stance(text) == "建议修改"


def test_stop_words_come_from_the_data_file_without_comments():
    words = stop_words()
    assert "征求意见稿" in words
    assert not any(w.startswith("#") or " " in w for w in words)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalize_is_the_same_as_consult_texts_normalisation(text):
    assert normalize(text) == normalize_text(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_tokens_never_fail_and_are_never_blank(text):
    for found in (tokens(text), search_tokens(text), content_tokens(text)):
        assert all(t and t.strip() == t for t in found)


def _fresh_process(cache_dir: str) -> subprocess.CompletedProcess:
    """Tokenise in a new Python process (the segmenter loads once per process) with this cache folder."""
    env = {**os.environ, "CONSULT_CACHE_DIR": cache_dir}
    code = "from consult.tokens import tokens; print(' '.join(tokens('坚决反对收取管理费')))"
    return subprocess.run([sys.executable, "-W", "error", "-c", code], check=False, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_dictionary_cache_is_written_to_the_cache_folder_created_if_missing(tmp_path):
    folder = tmp_path / "new" / "cache"
    done = _fresh_process(str(folder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["坚决", "反对", "收取", "管理费"]
    assert [p.name for p in folder.iterdir()] == [next(folder.glob("jieba-*.cache")).name]
    assert done.stderr == ""


def test_a_cache_folder_that_cannot_be_created_is_harmless(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = _fresh_process(str(blocker / "cache"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["坚决", "反对", "收取", "管理费"]
    assert done.stderr == ""
