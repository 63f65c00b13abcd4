"""A labelled corpus of comments on a 10-article draft, for measuring the comment analysis.

``generate(n, seed)`` returns ``n`` comments: by default 60 % copies of seven form letters, most of them
edited by their senders (a sentence about themselves, a wish added, words replaced, a sentence dropped, a
typo), and 40 % distinct comments, each on one of 30 topics (two or three per article) with a stance. Every
comment carries its labels: campaign (form letter key or None), article, topic, stance. The same ``n`` and
``seed`` always give the same corpus.

    python -m bench.corpus --comments 20 --seed 1        # print a sample as JSON lines
"""

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bench.corpus_letters import (
    ADDITIONS,
    CLOSERS,
    IMPLICIT,
    LETTERS,
    OPENERS,
    OPPOSE_FRAMES,
    OTHER_FRAMES,
    PERSONAL,
    REVISE_FRAMES,
    SUPPORT_FRAMES,
    TYPOS,
    Letter,
)
from bench.corpus_topics import ARTICLES, SLOTS, TOPICS, TopicBank

LETTER_WEIGHTS = (0.24, 0.19, 0.15, 0.13, 0.11, 0.10, 0.08)
STANCE_WEIGHTS = {"建议修改": 0.40, "反对": 0.22, "支持": 0.22, "其他": 0.16}
VERBATIM = 0.30  # share of a campaign's copies sent unchanged
_CHOICE = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"<(\w+)>")
_WORDS_ONLY = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class LabelledComment:
    id: int
    article: str | None
    text: str
    campaign: str | None
    topic: str
    stance: str


def expand(pattern: str, rng: random.Random) -> str:
    """Fill ``{a|b|}`` with one alternative and ``<slot>`` from the slot banks."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), pattern)
    return _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), text)


def _sentence(text: str, end: str = "。") -> str:
    text = text.rstrip("，,：: ")
    return text if text[-1:] in "。！？!?" else text + end


def _typo(text: str, rng: random.Random) -> str:
    present = [(a, b) for a, b in TYPOS if a in text]
    if not present:
        return text
    a, b = rng.choice(present)
    positions = [m.start() for m in re.finditer(a, text)]
    at = rng.choice(positions)
    return text[:at] + b + text[at + len(a):]


def letter_text(letter: Letter, rng: random.Random) -> str:
    """The form letter as its organisers wrote it."""
    return "".join(expand(s, rng) for s in letter.sentences)


def edited_copy(letter: Letter, template: str, rng: random.Random) -> str:
    """A sender's copy of ``template``: one to three small edits."""
    sentences = re.findall(r"[^。！？]+[。！？]?", template)
    edits = rng.sample(["personal", "addition", "swap", "swap", "drop", "typo", "story"], k=rng.choice((1, 1, 2, 2, 3)))
    for edit in edits:
        if edit == "personal":
            sentences.insert(0, expand(PERSONAL[0], rng))
        elif edit == "story":
            sentences.insert(rng.randint(1, len(sentences)), _sentence(expand(rng.choice(PERSONAL[1:]), rng)))
        elif edit == "addition":
            sentences.insert(rng.choice((len(sentences), rng.randint(1, len(sentences)))),
                             _sentence(expand(rng.choice(ADDITIONS), rng)))
        elif edit == "swap":
            old, new = rng.choice(letter.swaps)
            sentences = [s.replace(old, new) for s in sentences]
        elif edit == "drop" and len(sentences) >= 4:
            del sentences[rng.randint(1, len(sentences) - 2)]
    text = "".join(sentences)
    return _typo(text, rng) if "typo" in edits else text


def _reformatted(text: str, rng: random.Random) -> str:
    """The same words with other punctuation widths or line breaks (what a copy-paste does)."""
    kind = rng.random()
    if kind < 0.4:
        return text.replace("，", ",").replace("：", ":")
    if kind < 0.7:
        return text.replace("。", "。\n")
    return "  " + text + " "


def unique_text(topic: TopicBank, stance: str, rng: random.Random) -> str:
    """One citizen's own comment on ``topic`` with ``stance``."""
    subject = rng.choice(topic.subjects)
    parts: list[str] = []
    if rng.random() < 0.3:
        parts.append(expand(rng.choice(OPENERS), rng))
    if rng.random() < 0.3:
        parts.append(_sentence(expand(rng.choice(PERSONAL), rng), "，"))
    facts = [_sentence(expand(f, rng)) for f in rng.sample(topic.facts, k=rng.choice((0, 1, 1, 2)))]
    if rng.random() < 0.12:
        stated = [_sentence(expand(rng.choice(IMPLICIT[stance]), rng))]
        if stance == "建议修改" and not facts:
            facts = [_sentence(expand(rng.choice(topic.facts), rng))]
    else:
        frames = {"支持": SUPPORT_FRAMES, "反对": OPPOSE_FRAMES, "建议修改": REVISE_FRAMES, "其他": OTHER_FRAMES}[stance]
        frame = expand(rng.choice(frames).replace("{s}", subject), rng)
        if stance == "建议修改":
            proposals = [expand(p, rng) for p in rng.sample(topic.proposals, k=rng.choice((1, 1, 2)))]
            stated = [_sentence(frame + "；同时".join(proposals))]
        elif stance == "其他":
            stated = [_sentence(frame, "") + _sentence(expand(rng.choice(topic.questions), rng), "？")]
        else:
            reasons = topic.pros if stance == "支持" else topic.cons
            stated = [_sentence(frame, "！" if rng.random() < 0.2 else "。")]
            if rng.random() < 0.6:
                stated.append(_sentence(expand(rng.choice(reasons), rng)))
    parts += stated + facts if rng.random() < 0.7 else facts + stated
    if rng.random() < 0.3:
        parts.append(expand(rng.choice(CLOSERS), rng))
    text = "".join(parts)
    return _typo(text, rng) if rng.random() < 0.08 else text


def _article(home: str, rng: random.Random, elsewhere: float) -> str | None:
    roll = rng.random()
    if roll < 0.10:
        return None
    if roll < 0.10 + elsewhere:
        return rng.choice(list(ARTICLES))
    return home


def generate(n: int, seed: int = 1, campaign_share: float = 0.6) -> list[LabelledComment]:
    """``n`` labelled comments (see the module docstring); ids 1…n in the order they arrived."""
    rng = random.Random(seed)
    drafts: list[tuple[str | None, str, str | None, str, str]] = []
    copies = round(n * campaign_share)
    templates = {letter.key: letter_text(letter, rng) for letter in LETTERS}
    sizes = _split(copies, LETTER_WEIGHTS)
    for letter, size in zip(LETTERS, sizes, strict=True):
        template = templates[letter.key]
        for _ in range(size):
            if rng.random() < VERBATIM:
                text = template if rng.random() < 0.8 else _reformatted(template, rng)
            else:
                text = edited_copy(letter, template, rng)
            drafts.append((_article(letter.article, rng, 0.05), text, letter.key, letter.topic, letter.stance))
    seen: set[str] = set()
    stances, weights = list(STANCE_WEIGHTS), list(STANCE_WEIGHTS.values())
    for _ in range(n - copies):
        topic = rng.choice(TOPICS)
        stance = rng.choices(stances, weights)[0]
        for _attempt in range(50):
            text = unique_text(topic, stance, rng)
            key = _WORDS_ONLY.sub("", text)
            if key not in seen:
                break
        seen.add(key)
        drafts.append((_article(topic.article, rng, 0.0), text, None, topic.key, stance))
    rng.shuffle(drafts)
    return [LabelledComment(i, *d) for i, d in enumerate(drafts, 1)]


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split by ``weights`` into whole numbers that add up to ``total``."""
    sizes = [int(total * w / sum(weights)) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for comment in generate(args.comments, args.seed):
        print(json.dumps(asdict(comment), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
