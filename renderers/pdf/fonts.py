"""Find the CJK font and prepare it once, so that each PDF costs little (renderer; does I/O).

Noto Sans CJK SC is face 2 of the `.ttc` collections in Debian's `fonts-noto-cjk`. fpdf2
parses a whole face for every document and subsets it again on output: for a 65 535-glyph
CJK face that is most of a second and ~100 MB per document. So the face is prepared once,
with fontTools, into small standalone files in a cache directory:

- `common-regular.otf`, `common-bold.otf`: GB 2312 (the 6 763 most used hanzi) with ASCII,
  Latin-1, general and CJK punctuation and full-width forms;
- `shard-XXXX.otf`: every other character of the face, in blocks of 1 024 characters (by code),
  regular weight only, each made the first time a document needs it (rare name characters
  such as 堃, 喆, 珺, 镕, 䶮 live there; bold text falls back to them);
- `coverage.json`: every character of the face, so a document's fonts are chosen without
  opening the big face.

A document then loads the two common files plus the few shards its text needs, and fpdf2's
fallback mechanism draws each character from the file that has it. If the cache cannot be
written, documents use the collection itself (correct, only slower).

Noto Sans CJK has only part of CJK Extension B and nothing of C–F, yet names such as 𠮷
(U+20BB7) or 𪚥 (U+2A6A5) pass the name rule. Characters Noto lacks come from fallback
faces: HanaMin A and B of Debian's `fonts-hanazono` (chosen because together they cover
every ideograph of Extensions A–F and the compatibility supplement, are free (SIL OFL /
its own free licence) and packaged in Debian; BabelStone Han, the other packaged candidate,
misses tens of thousands of Extension B–F characters). They are cut into shards the same way
(`extra<N>-shard-XXXX.otf`). Without the package those characters are reported `missing`.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from fontTools import subset
from fontTools import version as fonttools_version
from fontTools.ttLib import TTFont

FONT_PACKAGE = "fonts-noto-cjk"
SC_FACE_INDEX = 2  # face order in NotoSansCJK-*.ttc: JP, KR, SC, TC, HK, then the mono faces
FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),  # Debian, Ubuntu (fonts-noto-cjk)
    Path("/usr/share/fonts/noto-cjk"),  # Arch
    Path("/usr/share/fonts/google-noto-cjk"),  # Fedora
)
# Fallback faces for what Noto lacks (CJK Extensions B–F), in the order they are asked.
FALLBACK_PACKAGE = "fonts-hanazono"
FALLBACK_FILES = (Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
                  Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"))
REGULAR_NAME = "NotoSansCJK-Regular.ttc"
BOLD_NAME = "NotoSansCJK-Bold.ttc"
ENV_REGULAR, ENV_BOLD, ENV_INDEX = "SHENBAO_CJK_FONT", "SHENBAO_CJK_FONT_BOLD", "SHENBAO_CJK_FONT_INDEX"
ENV_CACHE = "SHENBAO_FONT_CACHE"

_PREPARATION = "3"  # bump when the prepared files change shape
_SHARD_BITS = 10
# Tables fpdf2 does not embed or use; dropping them keeps the prepared files small.
_DROP_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG", "DSIG"]
_COMMON_RANGES = ((0x20, 0x100), (0x2000, 0x2070), (0x3000, 0x3040), (0xFF00, 0xFFF0))

log = logging.getLogger(__name__)


class FontNotFound(RuntimeError):
    """The CJK font is not installed where configured or in the standard places."""


@dataclass(frozen=True)
class FontSource:
    """The installed font files: regular and bold collections and the face to use."""

    regular: Path
    bold: Path
    index: int = SC_FACE_INDEX
    extra: tuple[Path, ...] = ()  # fallback faces (index 0) for characters the face lacks


@dataclass(frozen=True)
class FontPlan:
    """The font files one document uses; `index` applies to collections (.ttc) only."""

    regular: Path
    bold: Path
    index: int
    fallbacks: tuple[Path, ...] = ()
    missing: frozenset[str] = frozenset()  # characters no file has (fpdf2 would draw boxes)


def find_fonts(regular: str | os.PathLike[str] | None = None, bold: str | os.PathLike[str] | None = None,
               index: int | None = None, environ: Mapping[str, str] | None = None) -> FontSource:
    """Locate Noto Sans CJK SC: explicit paths, then $SHENBAO_CJK_FONT(_BOLD), then FONT_DIRS.

    A configured regular file without a bold one uses the `-Bold` file beside it, else
    itself. The face index is $SHENBAO_CJK_FONT_INDEX, else 2 for a collection, 0 otherwise.
    Raises FontNotFound (naming the Debian package) rather than let fpdf2 draw blank boxes.
    """
    env = os.environ if environ is None else environ
    regular = regular or env.get(ENV_REGULAR) or None
    bold = bold or env.get(ENV_BOLD) or None
    if regular is not None:
        reg_path = Path(regular)
        bold_path = Path(bold) if bold else _bold_beside(reg_path)
        _require(reg_path, bold_path)
    else:
        found = next((d for d in FONT_DIRS if (d / REGULAR_NAME).is_file()), None)
        if found is None:
            raise FontNotFound(_not_found([d / REGULAR_NAME for d in FONT_DIRS]))
        reg_path = found / REGULAR_NAME
        bold_path = Path(bold) if bold else found / BOLD_NAME
        _require(reg_path, bold_path)
    if index is None:
        env_index = env.get(ENV_INDEX)
        is_collection = reg_path.suffix.lower() in (".ttc", ".otc")
        index = int(env_index) if env_index else (SC_FACE_INDEX if is_collection else 0)
    return FontSource(reg_path, bold_path, index, tuple(p for p in FALLBACK_FILES if p.is_file()))


def _bold_beside(regular: Path) -> Path:
    candidate = regular.with_name(regular.name.replace("Regular", "Bold"))
    return candidate if candidate != regular and candidate.is_file() else regular


def _require(*paths: Path) -> None:
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise FontNotFound(_not_found(missing))


def _not_found(paths: Iterable[Path]) -> str:
    looked = ", ".join(str(p) for p in paths)
    return (f"CJK font Noto Sans CJK SC not found (looked for: {looked}). Install the Debian "
            f"package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}), or set {ENV_REGULAR} "
            f"(and {ENV_BOLD}) to the NotoSansCJK-Regular.ttc / -Bold.ttc files.")


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(ENV_CACHE):
        return Path(env[ENV_CACHE])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shenbao" / "fonts"


class PreparedFonts:
    """The prepared font files for one FontSource, made on demand in a cache directory."""

    def __init__(self, source: FontSource, cache_dir: Path):
        self.source = source
        self.dir = cache_dir / _cache_key(source)
        self._lock = threading.Lock()
        self._coverage: frozenset[int] | None = None
        self._common: frozenset[int] | None = None
        self._extra_coverage: dict[int, frozenset[int]] = {}

    def plan(self, chars: Iterable[str]) -> FontPlan:
        """The files to load for a text made of `chars`, preparing missing ones first."""
        wanted = {ord(c) for c in set(chars) if not c.isspace()}
        try:
            with self._lock:
                return self._plan(wanted)
        except OSError as exc:  # unwritable cache: use the collection itself
            log.warning("font cache %s not usable (%s); using %s directly", self.dir, exc, self.source.regular)
            return FontPlan(self.source.regular, self.source.bold, self.source.index)

    def covered(self) -> frozenset[int]:
        """Every character some face prints (the main face's, then the fallbacks')."""
        with self._lock:
            found = set(self._load_coverage())
            for number, path in enumerate(self.source.extra):
                found |= self._extra_coverage_of(number, path)
        return frozenset(found)

    def prepare_all(self) -> None:
        """Make every file now (e.g. at deployment), so that no request waits for one."""
        with self._lock:
            self._plan(set(self._load_coverage()))

    def _plan(self, wanted: set[int]) -> FontPlan:
        coverage = self._load_coverage()
        regular = self._ensure("common-regular", self.source.regular, self._common_set())
        bold = self._ensure("common-bold", self.source.bold, self._common_set())
        extra = sorted(cp for cp in wanted if cp in coverage and cp not in self._common_set())
        blocks = sorted({cp >> _SHARD_BITS for cp in extra})
        shards = tuple(self._shard(block) for block in blocks)
        uncovered = {cp for cp in wanted if cp not in coverage}
        extra, missing = self._extra_shards(uncovered)
        return FontPlan(regular, bold, 0, shards + extra, frozenset(chr(cp) for cp in missing))

    def _extra_shards(self, wanted: set[int]) -> tuple[tuple[Path, ...], set[int]]:
        """Shards of the fallback faces for what the main face lacks; returns what none has."""
        shards: list[Path] = []
        for number, path in enumerate(self.source.extra):
            if not wanted:
                break
            coverage = self._extra_coverage_of(number, path)
            found = {cp for cp in wanted if cp in coverage}
            wanted -= found
            for block in sorted({cp >> _SHARD_BITS for cp in found}):
                lo, hi = block << _SHARD_BITS, (block + 1) << _SHARD_BITS
                members = {cp for cp in coverage if lo <= cp < hi}
                shards.append(self._ensure(f"extra{number}-shard-{block:04x}", path, members,
                                           f"Extra{number}Part{lo:04X}", index=0))
        return tuple(shards), wanted

    def _extra_coverage_of(self, number: int, path: Path) -> frozenset[int]:
        if number not in self._extra_coverage:
            cached = self.dir / f"extra{number}-coverage.json"
            if not cached.is_file():
                self.dir.mkdir(parents=True, exist_ok=True)
                write_atomic(cached, json.dumps(_to_ranges(sorted(_open_face(path, 0).getBestCmap()))).encode())
            ranges = json.loads(cached.read_text())
            self._extra_coverage[number] = frozenset(cp for lo, hi in ranges for cp in range(lo, hi + 1))
        return self._extra_coverage[number]

    def _shard(self, block: int) -> Path:
        lo, hi = block << _SHARD_BITS, (block + 1) << _SHARD_BITS
        members = {cp for cp in self._load_coverage() if lo <= cp < hi} - self._common_set()
        return self._ensure(f"shard-{block:04x}", self.source.regular, members, f"Part{lo:04X}")

    def _common_set(self) -> frozenset[int]:
        if self._common is None:
            self._common = frozenset(cp for cp in self._load_coverage() if _is_common(cp))
        return self._common

    def _load_coverage(self) -> frozenset[int]:
        if self._coverage is None:
            path = self.dir / "coverage.json"
            if not path.is_file():
                self.dir.mkdir(parents=True, exist_ok=True)
                cmap = _open_face(self.source.regular, self.source.index).getBestCmap()
                write_atomic(path, json.dumps(_to_ranges(sorted(cmap))).encode())
            ranges = json.loads(path.read_text())
            self._coverage = frozenset(cp for lo, hi in ranges for cp in range(lo, hi + 1))
        return self._coverage

    def _ensure(self, name: str, collection: Path, unicodes: Iterable[int], rename: str = "",
                index: int | None = None) -> Path:
        path = self.dir / f"{name}.otf"
        if not path.is_file():
            log.info("preparing font %s from %s", path, collection)
            face = self.source.index if index is None else index
            write_atomic(path, subset_face(collection, face, set(unicodes), rename))
        return path


def _is_common(cp: int) -> bool:
    if any(lo <= cp < hi for lo, hi in _COMMON_RANGES):
        return True
    try:
        chr(cp).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _open_face(collection: Path, index: int) -> TTFont:
    # No bbox recalculation on save: it runs every glyph program (seconds for CJK faces),
    # and the source font's bounding boxes remain valid for any subset.
    return TTFont(collection, fontNumber=index, lazy=True, recalcBBoxes=False, recalcTimestamp=False)


def subset_face(collection: Path, index: int, unicodes: set[int], rename: str | None = None) -> bytes:
    """One face of the collection, cut down to `unicodes`, as standalone OpenType bytes."""
    font = _open_face(collection, index)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += _DROP_TABLES
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.name_IDs = ["*"]
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    if rename:
        _rename(font, rename)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _rename(font, suffix: str) -> None:  # font: fontTools.ttLib.TTFont
    """Give a shard its own family, full and PostScript names, so PDF font names differ."""
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = f"{record.toUnicode()} {suffix}"
        elif record.nameID == 6:
            record.string = f"{record.toUnicode()}-{suffix}"


def _to_ranges(codepoints: list[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so concurrent workers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # the cache may be shared by the web server and the CLI
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cache_key(source: FontSource) -> str:
    parts = [_PREPARATION, fonttools_version, str(source.index)]
    for path in (source.regular, source.bold, *source.extra):
        stat = path.stat()
        parts += [str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


_prepared: dict[tuple[FontSource, Path], PreparedFonts] = {}
_prepared_lock = threading.Lock()


def prepared_fonts(source: FontSource | None = None, cache_dir: Path | None = None) -> PreparedFonts:
    """The process-wide PreparedFonts for a source (found with find_fonts() by default)."""
    source = source or find_fonts()
    cache_dir = cache_dir or default_cache_dir()
    with _prepared_lock:
        key = (source, cache_dir)
        if key not in _prepared:
            _prepared[key] = PreparedFonts(source, cache_dir)
        return _prepared[key]
