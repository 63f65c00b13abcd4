"""The one jieba segmenter of a process: loaded once (thread-safe), its dictionary cache kept per user.

jieba ships its dictionary; building the prefix dictionary from it takes about a second, loading the cache
about a third of that. The cache is a file ``jieba-<version>.cache`` in ``$CONSULT_CACHE_DIR``, else
``$XDG_CACHE_HOME/consult``, else ``~/.cache/consult`` — never a world-writable temporary folder, whose file
another user could replace. If that folder cannot be created or written, an existing cache in it is still
read, and otherwise the dictionary is built in memory on every start: slower, never an error.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

log = logging.getLogger(__name__)

_lock = threading.Lock()
_segmenter: jieba.Tokenizer | None = None


def _import_jieba():
    """jieba, imported with the first segmenter (it also loads pkg_resources: some 8 MB a worker that never
    segments does not need)."""
    with warnings.catch_warnings():
        # jieba 0.42.1 imports pkg_resources (deprecated by setuptools) when it is installed, and its source
        # has regular expressions with invalid escape sequences, which Python reports when it compiles them
        # without a bytecode cache. Neither affects how it segments; only these two messages are silenced.
        warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"invalid escape sequence", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"invalid escape sequence", category=SyntaxWarning)
        import jieba
    return jieba


def cache_dir() -> Path:
    """Where the dictionary cache lives (see the module docstring)."""
    if configured := os.environ.get("CONSULT_CACHE_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "consult"


def _writable(folder: Path) -> bool:
    """Create ``folder`` if needed; True if a file can be written in it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def segmenter() -> jieba.Tokenizer:
    """The process's jieba tokenizer with its dictionary loaded (the first call loads it)."""
    global _segmenter
    if _segmenter is not None:
        return _segmenter
    with _lock:
        if _segmenter is None:
            _segmenter = _load()
    return _segmenter


def _load() -> jieba.Tokenizer:
    jieba = _import_jieba()
    # jieba logs its progress at DEBUG, and a failed cache write as an error with a traceback, to its own
    # stderr handler (set up when it is imported); the only thing worth saying is said once below.
    logging.getLogger("jieba").setLevel(logging.CRITICAL)
    tokenizer = jieba.Tokenizer()
    folder = cache_dir()
    if not _writable(folder):
        log.info("jieba's dictionary cache folder %s cannot be written; the dictionary is built in memory", folder)
    # jieba reads the cache if it is there and tries to write it if not; a failed write is caught inside jieba.
    tokenizer.tmp_dir = str(folder)
    tokenizer.cache_file = f"jieba-{jieba.__version__}.cache"
    tokenizer.initialize()
    return tokenizer
