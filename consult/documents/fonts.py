"""The faces PDFs are set in: Debian's Noto CJK cut down once to the characters documents use.

Debian's Noto CJK collections are 20–27 MB each (five languages, 65,000 glyphs). WeasyPrint reads the whole
collection of each face a document uses and subsets it for every PDF, which costs some hundred milliseconds
and some 150 MB per document. So on first use each face (Serif and Sans, regular and bold, the SC member of
the collection) is cut down with HarfBuzz's subsetter to GB 2312 (6,763 characters and its symbols) plus
Latin, general and CJK punctuation and full-width forms: about 3 MB and 8,400 glyphs each, built in about
half a second per face and kept in ``DOCUMENT_FONT_CACHE`` (``instance/fonts`` by default). The style sheet
names these faces first and the full Noto CJK after them, so a rarer character (a name in 堃 or 㛃) is still
set, from the full face, in the same document.

If the sources or HarfBuzz's subsetter are missing, documents are set in the full faces as before.
"""

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

SOURCE_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/opentype/noto-cjk")
LANGUAGE_MEMBER = "SC"  # the member of the collection for simplified Chinese
CHARSET_VERSION = "gb2312-2"  # change when the character set or the subsetting changes: the cache key has it
# Layout features kept. Every other feature is left out with the glyphs only it reaches: vertical forms and
# the Japanese, Korean and traditional shapes the collection shares (``locl``), some 5,700 glyphs.
LAYOUT_FEATURES = (b"kern", b"palt")
LAYOUT_FEATURE_SET = 6  # HB_SUBSET_SETS_LAYOUT_FEATURE_TAG
_EXTRA_RANGES = (
    (0x20, 0x7E), (0xA0, 0x17F),  # Latin
    (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x257F),  # punctuation …
    (0x3000, 0x303F), (0xFF00, 0xFFEF),  # CJK symbols and punctuation, full-width forms
)


@dataclass(frozen=True)
class Face:
    family: str  # the family name the style sheet uses
    weight: int
    source: str  # file name of Debian's collection


FACES = (
    Face("Consult Serif", 400, "NotoSerifCJK-Regular.ttc"),
    Face("Consult Serif", 700, "NotoSerifCJK-Bold.ttc"),
    Face("Consult Sans", 400, "NotoSansCJK-Regular.ttc"),
    Face("Consult Sans", 700, "NotoSansCJK-Bold.ttc"),
)
_lock = threading.Lock()
_built: dict[str, tuple[tuple[Face, str], ...]] = {}


def characters() -> set[int]:
    """The code points the prepared faces keep: every character of GB 2312 and the ranges above."""
    points: set[int] = set()
    for low, high in _EXTRA_RANGES:
        points.update(range(low, high + 1))
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                points.update(map(ord, bytes((first, second)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return points


def _source_path(name: str) -> str | None:
    for folder in SOURCE_DIRS:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def _member_index(path: str) -> int:
    """The index of the simplified-Chinese member (…CJK SC) in a Noto CJK collection (0 for a single font)."""
    from fontTools.ttLib import TTCollection, TTLibError

    try:
        collection = TTCollection(path, lazy=True)
    except TTLibError:
        return 0
    try:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith(f" {LANGUAGE_MEMBER}"):
                return index
    finally:
        collection.close()
    return 0


def _harfbuzz():
    """HarfBuzz and its subsetter through cffi (Debian's libharfbuzz0b and libharfbuzz-subset0)."""
    from cffi import FFI

    ffi = FFI()
    ffi.cdef("""
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t; typedef struct hb_set_t hb_set_t;
        typedef struct hb_subset_input_t hb_subset_input_t; typedef uint32_t hb_codepoint_t;
        hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
        void hb_blob_destroy (hb_blob_t *blob);
        const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
        void hb_face_destroy (hb_face_t *face);
        hb_blob_t *hb_face_reference_blob (hb_face_t *face);
        hb_subset_input_t *hb_subset_input_create_or_fail (void);
        void hb_subset_input_destroy (hb_subset_input_t *input);
        hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
        void hb_set_clear (hb_set_t *set);
        uint32_t hb_tag_from_string (const char *str, int len);
        hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
        void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
        hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    """)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def subset_face(path: str, index: int, points: set[int]) -> bytes:
    """The member ``index`` of the font file ``path`` cut down to the glyphs of ``points``, with the layout
    features in ``LAYOUT_FEATURES``."""
    ffi, hb, subset = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read {path}")
    face = hb.hb_face_create(blob, index)
    wanted = subset.hb_subset_input_create_or_fail()
    try:
        features = subset.hb_subset_input_set(wanted, LAYOUT_FEATURE_SET)
        hb.hb_set_clear(features)
        for tag in LAYOUT_FEATURES:
            hb.hb_set_add(features, hb.hb_tag_from_string(tag, 4))
        unicodes = subset.hb_subset_input_unicode_set(wanted)
        for point in sorted(points):
            hb.hb_set_add(unicodes, point)
        result = subset.hb_subset_or_fail(face, wanted)
        if result == ffi.NULL:
            raise OSError(f"HarfBuzz could not subset {path}")
        try:
            out = hb.hb_face_reference_blob(result)
            length = ffi.new("unsigned int *")
            data = ffi.buffer(hb.hb_blob_get_data(out, length), length[0])[:]
            hb.hb_blob_destroy(out)
        finally:
            hb.hb_face_destroy(result)
    finally:
        subset.hb_subset_input_destroy(wanted)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
    if not data:
        raise OSError(f"HarfBuzz gave an empty subset of {path}")
    return data


def _cache_name(face: Face, path: str) -> str:
    stat = os.stat(path)
    key = f"{path}:{stat.st_size}:{int(stat.st_mtime)}:{CHARSET_VERSION}".encode()
    slug = face.family.lower().replace(" ", "-")
    return f"{slug}-{face.weight}-{hashlib.sha256(key).hexdigest()[:12]}.otf"


def prepare(cache_dir: str) -> tuple[tuple[Face, str], ...]:
    """Each face with the path of its prepared file, built where missing (about 0.5 s a face); the faces
    whose source font is not installed are left out. Safe to call from several processes: each file is
    written under a temporary name and renamed."""
    prepared = []
    points: set[int] | None = None
    for face in FACES:
        source = _source_path(face.source)
        if source is None:
            continue
        target = Path(cache_dir) / _cache_name(face, source)
        if not target.exists():
            points = points or characters()
            try:
                data = subset_face(source, _member_index(source), points)
            except (OSError, AttributeError) as error:  # no libharfbuzz-subset, or a damaged source
                log.warning("documents: no prepared face for %s (%s); using the full font", face.source, error)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_bytes(data)
            os.replace(partial, target)
        prepared.append((face, str(target)))
    return tuple(prepared)


def prepared_faces() -> tuple[tuple[Face, str], ...]:
    """The prepared faces of this app (built on first use, then remembered for the process)."""
    cache_dir = current_app.config.get("DOCUMENT_FONT_CACHE") or os.path.join(current_app.instance_path, "fonts")
    faces = _built.get(cache_dir)
    if faces is None:
        with _lock:
            faces = _built.get(cache_dir)
            if faces is None:
                faces = _built[cache_dir] = prepare(cache_dir)
    return faces
