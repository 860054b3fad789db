"""Where a cluster job's photos live: local paths, or storage URLs (``s3://``, ``gs://``, ...) through fsspec.

A local path (or a ``file://`` URL) is a ``pathlib.Path`` and goes through the core as it always does, the
atomic writer included. Any other URL is a ``upath.UPath`` (pathlib's methods over fsspec), which the batch
planner takes as it is; its filesystem package (``s3fs``, ``gcsfs``, ...) must be installed where the job
runs. A worker reads such a photo by copying it to a local temporary file, and writes its result to a
local temporary file first and uploads the finished file in one piece, so a half-written output is never
seen there either.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from urllib.parse import unquote, urlparse

from colorstudio.core.errors import ColorStudioError

COPY_CHUNK = 8 << 20


def place(text: str | Path):
    """``text`` as a path object: a Path for local paths and ``file://`` URLs, a UPath for other URLs."""
    if isinstance(text, PurePath):
        return text
    text = str(text)
    if "://" not in text:
        return Path(text).expanduser()
    if text.startswith("file://"):
        return Path(unquote(urlparse(text).path))
    try:
        from upath import UPath
    except ImportError:
        raise ColorStudioError(f"{text}: storage URLs need universal_pathlib: pip install "
                               "'colorstudio[cluster]'") from None
    try:
        return UPath(text)
    except (ImportError, ValueError) as exc:  # e.g. s3:// without s3fs
        raise ColorStudioError(f"cannot open {text}: {exc}") from None


def is_local(path) -> bool:
    return isinstance(path, PurePath)


def as_text(path) -> str:
    """The form a row of the job carries and ``place`` reads back (a local path made absolute)."""
    return str(path.absolute()) if is_local(path) else str(path)


@contextmanager
def readable(path) -> Iterator[Path]:
    """A local file with the photo's bytes: the photo itself when local, else a temporary copy."""
    if is_local(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="colorstudio-in-") as folder:
        local = Path(folder) / path.name
        try:
            with path.open("rb") as source, open(local, "wb") as copy:
                shutil.copyfileobj(source, copy, COPY_CHUNK)
        except (OSError, ValueError) as exc:
            raise ColorStudioError(f"Cannot read {path}: {exc}") from None
        yield local


@contextmanager
def writable(path) -> Iterator[Path]:
    """A local path to write the output at: the output itself when local (the writer is atomic), else a
    temporary file uploaded to ``path`` once the block ends without an error."""
    if is_local(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="colorstudio-out-") as folder:
        local = Path(folder) / path.name
        yield local
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(local, "rb") as finished, path.open("wb") as target:
                shutil.copyfileobj(finished, target, COPY_CHUNK)
        except (OSError, ValueError) as exc:
            raise ColorStudioError(f"Cannot write {path}: {exc}") from None
