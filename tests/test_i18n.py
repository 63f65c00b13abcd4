"""Every user-facing string has a Chinese translation, and the compiled catalogs are current."""

import os
import subprocess
import sys

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from consult import PROJECT_ROOT

TRANSLATIONS = os.path.join(PROJECT_ROOT, "consult", "translations")
# The extraction keywords of the README's command: lazy texts, message contexts, and timeline notes.
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "pgettext:1c,2", "-k", "lazy_pgettext:1c,2", "-k", "timeline_note"]


def extract(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--ignore-dirs=.* __pycache__",
         "-F", "babel.cfg", *KEYWORDS, "--no-location", "-o", str(pot), "."],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as fh:
        return read_po(fh)


def load_po(locale):
    with open(os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", "messages.po"), "rb") as fh:
        return read_po(fh, locale=locale)


def test_every_message_has_a_chinese_translation(tmp_path):
    template = extract(tmp_path)
    chinese = load_po("zh_Hans_CN")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = chinese.get(message.id, context=message.context)
        text = translated.string if translated else None
        if isinstance(text, tuple):
            text = text[0]
        if not text or (translated and translated.fuzzy):
            missing.append((message.context, message.id))
    assert missing == []


def _entries(messages) -> dict:
    """id -> string, with plural forms as tuples, skipping untranslated, fuzzy and identity entries
    (the compiler fills an untranslated plural with its English forms)."""
    def norm(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {
        (m.context, norm(m.id)): norm(m.string)
        for m in messages
        if m.id and not m.fuzzy and any(norm(m.string) if isinstance(m.string, (list, tuple)) else [m.string])
        and norm(m.string) != norm(m.id)
    }


def test_compiled_catalogs_match_their_sources():
    for locale in ("zh_Hans_CN", "en"):
        with open(os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", "messages.mo"), "rb") as fh:
            compiled = _entries(read_mo(fh))
        assert compiled == _entries(load_po(locale)), locale
