"""Files Fieldbench writes beside the database: folders replaced atomically (models), and the temporary files
an interrupted process leaves behind, removed at the next ``Store.open``.

Every temporary name starts with a prefix of ours, and only entries older than ``STALE_SECONDS`` are removed,
so what a live process is still writing is never touched.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import struct
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "FILE_TEMP_PREFIX",
    "STAGING_PREFIX",
    "OCR_TEMP_PREFIX",
    "PREVIOUS_SUFFIX",
    "STALE_SECONDS",
    "MAX_ARCHIVE_MEMBERS",
    "staging_dir",
    "replace_dir",
    "archive_size",
    "archive_problem",
    "TOO_LARGE_HINT",
    "remove_stale",
]

FILE_TEMP_PREFIX = ".tmp-"
"""A document file being written under the files folder (renamed to its SHA-256 when complete)."""
STAGING_PREFIX = ".fieldbench-staging-"
"""A folder being written beside the one it will replace (a model)."""
OCR_TEMP_PREFIX = "fieldbench-ocr-"
"""Page images for Tesseract in the system's temporary folder (written by earlier versions; now piped)."""
PREVIOUS_SUFFIX = ".previous"
"""The folder a replaced folder is kept as, beside the new one (``model`` -> ``model.previous``)."""
STALE_SECONDS = 6 * 3600
"""Age after which a temporary entry is an interrupted process's: our writes take seconds (the largest file,
one model), so six hours is far beyond any live writer, even on a loaded machine."""

MAX_ARCHIVE_MEMBERS = 10_000
"""Most members of a model archive: a skops model holds one per array (a classifier a few dozen)."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step


def staging_dir(target: Path) -> Path:
    """A new empty folder beside ``target`` to write its replacement in (then ``replace_dir``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{target.name}-", dir=target.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where that is missing."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # an old kernel, or a filesystem without it
        return False
    raise OSError(code, os.strerror(code), str(b))


def replace_dir(staging: Path, target: Path) -> Path | None:
    """Put the complete folder ``staging`` at ``target``; the folder it replaces is kept at ``target.previous``.

    On Linux the two folders are swapped in one step: at every moment ``target`` is either the old folder or
    the new one, whatever happens to the process. Elsewhere the old folder is renamed aside first, and for an
    instant there is no ``target`` (its previous version is then at ``target.previous``). A ``target.previous``
    from an earlier replacement is removed.

    Args:
        staging: the new folder, on the same filesystem (``staging_dir(target)``).
        target: where it goes.

    Returns:
        The kept previous folder, or None when there was nothing at ``target``.

    Raises:
        OSError: the folders cannot be renamed (permissions, another filesystem).
    """
    previous = target.with_name(target.name + PREVIOUS_SUFFIX)
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()  # an empty folder keeps nothing worth a previous version
    if not target.exists():
        os.rename(staging, target)
        return None
    if previous.exists():
        shutil.rmtree(previous)
    if _exchange(staging, target):
        os.rename(staging, previous)  # staging now holds the old folder
    else:
        os.rename(target, previous)
        os.rename(staging, target)
    return previous


_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_END_SEARCH = _END_RECORD_SIZE + 0xFFFF  # the record ends the file, after a comment of at most 64 KB
# A directory entry is 46 bytes and the member's name (skops names its arrays by number: about 30 bytes).
_DIRECTORY_BYTES_PER_MEMBER = 1024


def archive_size(path: Path, max_members: int = MAX_ARCHIVE_MEMBERS) -> int:
    """The bytes a ZIP archive (a skops model file) unpacks to, without unpacking anything.

    The end record is read first: an archive of more than ``max_members`` members, or one that needs ZIP64
    (archives of gigabytes), is refused before its directory is parsed. The sizes the directory declares
    bound what reading the members can produce (a member that inflates beyond its declared size fails its
    checksum instead).

    Raises:
        ValueError: not a ZIP archive, too many members, or ZIP64.
    """
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        handle.seek(max(0, end - _END_SEARCH))
        tail = handle.read()
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) - at < _END_RECORD_SIZE:
        raise ValueError("no ZIP end record")
    members, directory_size = struct.unpack_from("<HI", tail, at + 10)
    if members == 0xFFFF or directory_size == 0xFFFFFFFF:
        raise ValueError("a ZIP64 archive, far larger than a model")
    if members > max_members:
        raise ValueError(f"{members:,} members, more than {max_members:,}")
    if directory_size > members * _DIRECTORY_BYTES_PER_MEMBER:
        raise ValueError(f"a directory of {directory_size:,} bytes for {members:,} members")
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValueError(str(exc)) from None


TOO_LARGE_HINT = "Raise FIELDBENCH_MAX_MODEL_MB only for a model you trained yourself."


def archive_problem(path: Path, max_mb: float) -> str | None:
    """Why a model archive must not be loaded: not an archive, or it would unpack to more than ``max_mb``
    MB (read from its directory, nothing inflated); None when it may be.
    """
    try:
        unpacked = archive_size(path)
    except (OSError, ValueError) as exc:
        return f"{path.name} is not a model archive: {exc}"
    if unpacked > max_mb * 1024 * 1024:
        return f"{path} unpacks to {unpacked / 1024 / 1024:,.0f} MB, more than the limit of {max_mb:,.0f} MB"
    return None


def _age(path: Path, now: float) -> float:
    """Seconds since ``path`` (or, for a folder, anything directly in it) last changed."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            try:
                newest = max(newest, child.lstat().st_mtime)
            except FileNotFoundError:
                continue
    return now - newest


def _stale(candidates: Iterable[Path], now: float) -> list[Path]:
    removed = []
    for path in candidates:
        try:
            if _age(path, now) < STALE_SECONDS:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:  # another process cleaned it first
            continue
        except OSError:  # not ours to remove after all (permissions): leave it
            continue
        removed.append(path)
    return removed


def remove_stale(files_dir: Path, models_dir: Path, temp_dir: Path | None = None) -> list[Path]:
    """Remove what interrupted processes left: document files half written, model folders half staged, and
    page images of earlier versions in the temporary folder; only our prefixes, only older than
    ``STALE_SECONDS``.

    Args:
        files_dir: the store's document files (``FILE_TEMP_PREFIX`` files one level down).
        models_dir: the store's models (``STAGING_PREFIX`` folders at any depth).
        temp_dir: the system's temporary folder (``OCR_TEMP_PREFIX`` folders); default ``tempfile.gettempdir()``.

    Returns:
        What was removed.
    """
    now = time.time()
    temp_dir = Path(tempfile.gettempdir()) if temp_dir is None else temp_dir
    candidates: list[Path] = []
    if files_dir.is_dir():
        candidates += files_dir.glob(f"*/{FILE_TEMP_PREFIX}*")
    if models_dir.is_dir():
        candidates += models_dir.rglob(f"{STAGING_PREFIX}*")
    if temp_dir.is_dir():
        candidates += temp_dir.glob(f"{OCR_TEMP_PREFIX}*")
    return _stale(candidates, now)
