"""How many topics per article: the measurement behind the rule in consult/analysis/topics.py.

    .venv/bin/python -m bench.analysis_k                 # writes bench/results/analysis-k.json

For every article of two labelled sets — the generated corpus (bench/corpus.py, its distinct comments) and
the hand-written comments of tests/data/analysis_comments.jsonl — it clusters the article's comments with
every k from 2 to the most the engine allows, records the cosine silhouette the engine sees and how well the
topics match the labels (adjusted Rand index, NMI, purity, share of comments placed in a topic), and then
scores each candidate rule for choosing k by the mean over articles.
"""

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
HAND = Path(__file__).resolve().parent.parent / "tests" / "data" / "analysis_comments.jsonl"


def _scores(clusters, singles, labels) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    assigned = {i: n for n, c in enumerate(clusters) for i in c.members}
    assigned.update({i: f"single-{i}" for i in singles})
    order = sorted(assigned)
    placed = [i for i in order if not str(assigned[i]).startswith("single")]
    majority = sum(Counter(labels[i] for i in c.members).most_common(1)[0][1] for c in clusters)
    return {
        "ari": adjusted_rand_score([labels[i] for i in order], [assigned[i] for i in order]),
        "nmi": normalized_mutual_info_score([labels[i] for i in order], [assigned[i] for i in order]),
        "purity": majority / len(placed) if placed else 0.0,
        "coverage": len(placed) / len(order) if order else 0.0,
    }


def _silhouettes(documents, parameters) -> dict[int, float]:
    from sklearn.metrics import silhouette_score

    from consult.analysis import topics

    vectors = topics.vectorise([d for d in documents if d])
    if vectors is None:
        return {}
    matrix = vectors[0][np.asarray(vectors[0].getnnz(axis=1) > 0)]
    n = matrix.shape[0]
    top = min(parameters.max_topics, n // 3)  # every k the clustering allows (clusters of 3), not the engine's cap
    rng = np.random.default_rng(parameters.seed)
    sample = matrix[np.sort(rng.choice(n, topics.SAMPLE, replace=False))] if n > topics.SAMPLE else matrix
    distances = np.clip(1.0 - (sample @ sample.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    result = {}
    for k in range(2, top + 1):
        labels = topics._kmeans(sample, k, parameters.seed).labels_
        if len(set(labels.tolist())) > 1:
            result[k] = float(silhouette_score(distances, labels, metric="precomputed"))
    return result


def _best(s: dict[int, float], cap: int) -> int:
    allowed = [k for k in s if k <= max(2, cap)] or [min(s)]
    return max(allowed, key=lambda k: (s[k], -k))


def _first_local_maximum(s: dict[int, float], cap: int) -> int:
    allowed = sorted(k for k in s if k <= max(2, cap)) or [min(s)]
    return next((k for k in allowed if s[k] >= s.get(k - 1, -1) and s[k] >= s.get(k + 1, -1)), allowed[-1])


RULES = {
    "best silhouette, k <= n/3": lambda s, n: _best(s, n // 3),
    "best silhouette, k <= n/6 (the engine's rule)": lambda s, n: _best(s, n // 6),
    "best silhouette, k <= n/10": lambda s, n: _best(s, n // 10),
    "first local maximum of the silhouette, k <= n/6": lambda s, n: _first_local_maximum(s, n // 6),
    "smallest k within 95 % of the best, k <= n/6": lambda s, n: min(
        k for k in s if k <= max(2, n // 6) and s[k] >= 0.95 * s[_best(s, n // 6)]),
    "sqrt(n / 2)": lambda s, n: min(max(s), max(2, round(math.sqrt(n / 2)))),
    "fixed 3": lambda s, n: min(max(s), 3),
    "fixed 6": lambda s, n: min(max(s), 6),
}


def article_sets(n: int, seed: int) -> dict[str, list[tuple[str, list]]]:
    """{set name: [(article, [(text, topic)])]} of the distinct comments of each article."""
    from bench.corpus import generate

    sets = {}
    generated: dict = {}
    for c in generate(n, seed):
        if c.campaign is None:
            generated.setdefault(c.article, []).append((c.text, c.topic))
    sets["generated"] = sorted(generated.items(), key=lambda kv: str(kv[0]))
    hand: dict = {}
    for line in HAND.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["campaign"] is None:
            hand.setdefault(row["article"], []).append((row["text"], row["topic"]))
    sets["hand-written"] = sorted(hand.items(), key=lambda kv: str(kv[0]))
    return sets


def measure(n: int, seed: int) -> dict:
    from consult.analysis import Parameters, topics
    from consult.tokens import content_tokens

    parameters = Parameters()
    out = {}
    for name, articles in article_sets(n, seed).items():
        per_article = []
        for article, rows in articles:
            documents = [content_tokens(text) for text, _topic in rows]
            labels = [topic for _text, topic in rows]
            silhouettes = _silhouettes(documents, parameters)
            if not silhouettes:
                continue
            by_k = {}
            for k in silhouettes:
                clusters, singles = topics.cluster(documents, parameters, k=k)
                by_k[k] = _scores(clusters, singles, labels) | {"silhouette": silhouettes[k]}
            per_article.append({"article": article, "comments": len(rows), "true_topics": len(set(labels)),
                                "by_k": by_k})
        rules = {}
        for rule, choose in RULES.items():
            chosen = [(a, choose({k: v["silhouette"] for k, v in a["by_k"].items()}, a["comments"]))
                      for a in per_article]
            rules[rule] = {m: round(float(np.mean([a["by_k"][k][m] for a, k in chosen])), 4)
                           for m in ("ari", "nmi", "purity", "coverage")}
            rules[rule]["topics"] = sum(k for _a, k in chosen)
        out[name] = {"articles": len(per_article), "true_topics": sum(a["true_topics"] for a in per_article),
                     "rules": rules, "per_article": per_article}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis_k", description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=20_000, help="size of the generated corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", default=str(RESULTS / "analysis-k.json"))
    args = parser.parse_args(argv)
    figures = measure(args.comments, args.seed)
    Path(args.output).write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for name, data in figures.items():
        print(f"{name}: {data['articles']} articles, {data['true_topics']} true topics")
        print(f"  {'rule':50} {'ARI':>6} {'NMI':>6} {'purity':>6} {'cover':>6} {'topics':>6}")
        for rule, m in data["rules"].items():
            print(f"  {rule:50} {m['ari']:6.3f} {m['nmi']:6.3f} {m['purity']:6.3f} {m['coverage']:6.3f} {m['topics']:6d}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
