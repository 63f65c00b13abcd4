"""Topics: an article's distinct comments clustered by what they are about (TF-IDF over jieba tokens, k-means).

Per article: TF-IDF of the content tokens (stop words removed; words in fewer than two comments or in more
than half of them carry no topic), then k-means with a fixed seed on the L2-normalised vectors (cosine
k-means). The number of topics k is the one with the best silhouette (cosine) on a sample of at most
``SAMPLE`` comments, among 2…``max_topics`` and no more than one topic per ``comments_per_topic`` comments —
see docs/analysis.md for why (measured against fixed k and other rules by ``python -m bench.analysis_k``). A comment far from its topic's centre (cosine below ``min_topic_similarity``), a comment
without content words, and every comment of a cluster smaller than ``min_topic_size`` becomes a single.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from consult.analysis.model import Parameters

SAMPLE = 1000  # comments the number of topics is chosen on
FULL_KMEANS_UP_TO = 20_000  # above this many comments, mini-batch k-means
MAX_DF = 0.5


@dataclass
class Cluster:
    members: list[int]  # indices into the documents, closest to the centre first
    keywords: list[str]
    representatives: list[int]


def _tokens_as_given(tokens: list[str]) -> list[str]:
    """The vectoriser's analyser: documents arrive already segmented."""
    return tokens


def vectorise(documents: list[list[str]]) -> tuple[sparse.csr_matrix, np.ndarray] | None:
    """TF-IDF rows (L2-normalised) and the vocabulary, or None if no word occurs in two documents."""
    vectoriser = TfidfVectorizer(analyzer=_tokens_as_given, min_df=2, max_df=MAX_DF, sublinear_tf=True,
                                 dtype=np.float32)
    try:
        matrix = vectoriser.fit_transform(documents)
    except ValueError:  # empty vocabulary
        return None
    return matrix.tocsr(), vectoriser.get_feature_names_out()


def _kmeans(matrix, k: int, seed: int):
    if matrix.shape[0] > FULL_KMEANS_UP_TO:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096).fit(matrix)
    return KMeans(n_clusters=k, random_state=seed, n_init=3).fit(matrix)


def choose_k(matrix, parameters: Parameters) -> int:
    """The number of topics with the best cosine silhouette on a sample (2 ≤ k ≤ max_topics, and at least
    ``comments_per_topic`` comments per topic on average)."""
    n = matrix.shape[0]
    top = min(parameters.max_topics, n // parameters.comments_per_topic)
    if top < 2:
        return 1
    rng = np.random.default_rng(parameters.seed)
    sample = matrix[np.sort(rng.choice(n, SAMPLE, replace=False))] if n > SAMPLE else matrix
    distances = np.clip(1.0 - (sample @ sample.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    best_k, best = 1, -1.0
    for k in range(2, top + 1):
        labels = _kmeans(sample, k, parameters.seed).labels_
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(distances, labels, metric="precomputed")
        if score > best:
            best_k, best = k, score
    return best_k


def cluster(documents: list[list[str]], parameters: Parameters, k: int | None = None) -> tuple[list[Cluster], list[int]]:
    """Topics of ``documents`` (token lists) and the indices of the documents left as singles.

    One thread: these problems are small, and on a machine shared with the web workers k-means' own thread
    pool spent ten times the CPU in waiting (measured: 2.9 s against 0.3 s of CPU for one article).
    """
    with threadpool_limits(limits=1):
        return _cluster(documents, parameters, k)


def _cluster(documents: list[list[str]], parameters: Parameters, k: int | None) -> tuple[list[Cluster], list[int]]:
    p = parameters
    usable = [i for i, d in enumerate(documents) if d]
    singles = [i for i, d in enumerate(documents) if not d]
    vectors = vectorise([documents[i] for i in usable]) if len(usable) >= 2 * p.min_topic_size else None
    if vectors is None:
        return [], sorted(singles + usable)
    matrix, vocabulary = vectors
    has_words = np.asarray(matrix.getnnz(axis=1) > 0)
    singles += [usable[i] for i in np.flatnonzero(~has_words)]
    usable = [usable[i] for i in np.flatnonzero(has_words)]
    matrix = matrix[has_words]
    if len(usable) < 2 * p.min_topic_size:
        return [], sorted(singles + usable)
    k = k or choose_k(matrix, p)
    labels = np.zeros(len(usable), dtype=np.int64) if k == 1 else _kmeans(matrix, k, p.seed).labels_
    clusters = []
    for label in range(k):
        rows = np.flatnonzero(labels == label)
        if len(rows) == 0:
            continue
        centre = np.asarray(matrix[rows].mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        similarity = matrix[rows] @ (centre / norm) if norm else np.zeros(len(rows))
        close = rows[similarity >= p.min_topic_similarity]
        singles += [usable[i] for i in rows[similarity < p.min_topic_similarity]]
        if len(close) < p.min_topic_size:
            singles += [usable[i] for i in close]
            continue
        order = close[np.argsort(-similarity[similarity >= p.min_topic_similarity], kind="stable")]
        clusters.append(Cluster(
            members=[usable[i] for i in order],
            keywords=[str(vocabulary[j]) for j in np.argsort(-centre, kind="stable")[:p.keywords] if centre[j] > 0],
            representatives=[usable[i] for i in _diverse(matrix, order, p.representatives)],
        ))
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    return clusters, sorted(singles)


def _diverse(matrix, order: np.ndarray, count: int, too_close: float = 0.8) -> list[int]:
    """The first ``count`` rows of ``order`` (closest to the centre first) that are not near-copies of an
    already chosen one; filled up in order if there are not enough."""
    chosen: list[int] = []
    for row in order[:50].tolist():
        if len(chosen) == count:
            break
        if not chosen or (matrix[chosen] @ matrix[row].T).max() < too_close:
            chosen.append(row)
    for row in order.tolist():
        if len(chosen) == count:
            break
        if row not in chosen:
            chosen.append(row)
    return chosen
