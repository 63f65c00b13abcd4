"""Comment analysis benchmark: quality against the corpus labels, and the engine's speed and memory.

Usage (from the repository root)::

    .venv/bin/python -m bench.analysis --comments 100000            # writes bench/results/analysis-100000.json
    .venv/bin/python -m bench.analysis --comments 1000000 --seed 2

What it does:

1. Generates the labelled corpus (bench/corpus.py) and writes its comments — id, article, text, no labels —
   to a temporary file.
2. Starts a fresh Python process that reads them and runs ``consult.analysis.analyse`` once. It reports the
   wall time and CPU time of ``analyse`` alone (reading the file is not counted), the time of each step, and
   the process's peak RSS (which does include the comments it read: the engine needs them in memory).
3. Scores the units against the labels: campaign precision and recall (per comment and per pair of comments),
   topic purity, NMI and coverage, stance accuracy with its confusion matrix.
4. Prints the figures and writes them, with the machine's load average before and after, as JSON to
   ``bench/results/analysis-<n>.json`` (``--output`` to change).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def run_engine(comments_path: str, output_path: str) -> None:
    """The measured process: read the comments, analyse them once, write units, stances and figures."""
    from consult.analysis import analyse

    with open(comments_path, encoding="utf-8") as f:
        comments = [tuple(json.loads(line)) for line in f]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = analyse(comments)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    units = {cid: key for key, ids in ((u.key, u.comment_ids) for u in result.units()) for cid in ids}
    kinds = {u.key: type(u).__name__.lower() for u in result.units()}
    summary = asdict(result.summary)
    summary["by_article"] = {str(k): v for k, v in summary["by_article"].items()}
    summary["stance_by_article"] = {str(k): v for k, v in summary["stance_by_article"].items()}
    with open(output_path, "w", encoding="utf-8") as f:
        json.dump({
            "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "steps": result.seconds,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "units": units, "kinds": kinds, "stances": result.stances, "summary": summary,
            "topics": [{"article": t.article, "size": t.size, "keywords": t.keywords} for t in result.topics],
            "campaigns": [{"template_id": c.template_id, "size": c.size, "edited": len(c.edits)}
                          for c in result.campaigns],
        }, f, ensure_ascii=False)


def _pairs(counts) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def campaign_scores(corpus, units: dict, kinds: dict) -> dict:
    """Precision and recall of campaign detection, per comment and per pair of comments."""
    predicted = {c.id: units[c.id] if kinds[units[c.id]] == "campaign" else None for c in corpus}
    truth = {c.id: c.campaign for c in corpus}
    both = sum(1 for i in truth if truth[i] and predicted[i])
    said, real = sum(1 for v in predicted.values() if v), sum(1 for v in truth.values() if v)
    joint = Counter((predicted[i], truth[i]) for i in truth if predicted[i] and truth[i])
    pred_pairs = _pairs(Counter(v for v in predicted.values() if v).values())
    true_pairs = _pairs(Counter(v for v in truth.values() if v).values())
    same = _pairs(joint.values())
    per_letter = {}
    for letter in sorted({v for v in truth.values() if v}):
        where = Counter(predicted[i] for i in truth if truth[i] == letter)
        best, n = max(where.items(), key=lambda kv: (kv[0] is not None, kv[1]))
        per_letter[letter] = {"copies": sum(where.values()), "in_its_main_campaign": n if best else 0,
                              "not_in_a_campaign": where.get(None, 0)}
    return {
        "comment_precision": round(both / said, 4) if said else None,
        "comment_recall": round(both / real, 4) if real else None,
        "pair_precision": round(same / pred_pairs, 4) if pred_pairs else None,
        "pair_recall": round(same / true_pairs, 4) if true_pairs else None,
        "campaigns_found": len({v for v in predicted.values() if v}),
        "letters": per_letter,
    }


def topic_scores(corpus, units: dict, kinds: dict) -> dict:
    """Purity (share of each topic's comments with its most common true topic), NMI and coverage."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    distinct = [c for c in corpus if kinds[units[c.id]] != "campaign"]
    placed = [c for c in distinct if kinds[units[c.id]] == "topic"]
    by_unit: dict[str, Counter] = {}
    for c in placed:
        by_unit.setdefault(units[c.id], Counter())[c.topic] += 1
    majority = sum(counts.most_common(1)[0][1] for counts in by_unit.values())
    true_topics = {(c.article, c.topic) for c in placed}
    return {
        "purity": round(majority / len(placed), 4) if placed else None,
        "nmi": round(normalized_mutual_info_score([c.topic for c in placed], [units[c.id] for c in placed]), 4)
        if placed else None,
        "ari": round(adjusted_rand_score([c.topic for c in placed], [units[c.id] for c in placed]), 4)
        if placed else None,
        "coverage": round(len(placed) / len(distinct), 4) if distinct else None,
        "topics_found": len(by_unit),
        "true_topics_among_placed": len({t for _a, t in true_topics}),
        "distinct_comments": len(distinct),
    }


def stance_scores(corpus, stances: dict, kinds: dict, units: dict) -> dict:
    """Accuracy over all comments and over distinct (non-campaign) ones, per-class recall, confusion."""
    def accuracy(items):
        return round(sum(1 for c in items if stances[str(c.id)] == c.stance) / len(items), 4) if items else None

    distinct = [c for c in corpus if c.campaign is None]
    confusion = Counter((c.stance, stances[str(c.id)]) for c in distinct)
    labels = ("支持", "反对", "建议修改", "其他")
    return {
        "accuracy_all": accuracy(corpus),
        "accuracy_distinct": accuracy(distinct),
        "accuracy_campaign_copies": accuracy([c for c in corpus if c.campaign]),
        "recall_distinct": {s: round(confusion[(s, s)] / n, 4) if (n := sum(confusion[(s, p)] for p in labels)) else None
                            for s in labels},
        "precision_distinct": {s: round(confusion[(s, s)] / n, 4) if (n := sum(confusion[(t, s)] for t in labels))
                               else None for s in labels},
        "confusion_distinct": {t: {p: confusion[(t, p)] for p in labels} for t in labels},
    }


def measure(n: int, seed: int) -> dict:
    """Generate, run the engine in its own process, score; the figures as a dict."""
    from bench.corpus import generate

    started = time.perf_counter()
    corpus = generate(n, seed)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        comments_path, output_path = os.path.join(folder, "comments.jsonl"), os.path.join(folder, "out.json")
        with open(comments_path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps([c.id, c.article, c.text], ensure_ascii=False) + "\n" for c in corpus)
        load_before = os.getloadavg()
        subprocess.run([sys.executable, "-m", "bench.analysis", "--engine", comments_path, output_path], check=True)
        load_after = os.getloadavg()
        with open(output_path, encoding="utf-8") as f:
            out = json.load(f)
    units = {int(k): v for k, v in out["units"].items()}
    missing = [c.id for c in corpus if c.id not in units]
    return {
        "comments": n, "seed": seed, "generated_seconds": round(generated, 1),
        "engine": {k: out[k] for k in ("seconds", "cpu_seconds", "steps", "peak_rss_mb")},
        "machine": {"cpus": os.cpu_count(), "load_before": [round(x, 2) for x in load_before],
                    "load_after": [round(x, 2) for x in load_after], "python": platform.python_version()},
        "every_comment_in_one_unit": not missing and len(units) == n,
        "campaigns": campaign_scores(corpus, units, out["kinds"]),
        "topics": topic_scores(corpus, units, out["kinds"]),
        "stance": stance_scores(corpus, out["stances"], out["kinds"], units),
        "summary": out["summary"],
        "found_campaigns": out["campaigns"][:12],
        "found_topics": out["topics"],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", help="where to write the JSON (default bench/results/analysis-<n>.json)")
    parser.add_argument("--engine", nargs=2, metavar=("COMMENTS", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine:
        run_engine(*args.engine)
        return 0
    figures = measure(args.comments, args.seed)
    output = Path(args.output) if args.output else RESULTS / f"analysis-{args.comments}.json"
    output.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    report = {k: figures[k] for k in ("engine", "machine", "every_comment_in_one_unit")}
    report["campaigns"] = {k: v for k, v in figures["campaigns"].items() if k != "letters"}
    report["topics"] = figures["topics"]
    report["stance"] = {k: v for k, v in figures["stance"].items() if k.startswith("accuracy")}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
