"""Local landing folders: a file is read only when it is a regular file inside its folder, reached
without symbolic links, and complete by the source's `ready` setting."""

from __future__ import annotations

import stat
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from recon.date_pattern import parse_pattern
from recon.errors import IngestError
from recon.sources.landed import Landed
from recon.sources.paths import inside

if TYPE_CHECKING:  # recon.config reads recon.sources.paths while it loads
    from recon.config import LocalSource


def fetch_local(source: LocalSource, business_date: date) -> Landed:
    """The day's file in its folder; IngestError when missing, linked or not complete yet."""
    name = source.file_name(business_date)
    _refuse_links(source.path, name)
    path = inside(source.path, name, str(source.path / name))
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(f"{path}: file not found") from None
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(f"{path}: not a regular file")
    _check_ready(source, path, info.st_mtime)
    return Landed(path=path, origin=str(path), size=info.st_size)


def _refuse_links(folder: Path, name: str) -> None:
    """A symbolic link anywhere below the landing folder could point at any file on the machine:
    refused without following it, so nothing of its target is read or shown."""
    current = folder
    for part in name.split("/"):
        current = current / part
        if current.is_symlink():
            raise IngestError(f"{current}: is a symbolic link; refused")


def _check_ready(source: LocalSource, path: Path, modified: float) -> None:
    marker = source.ready.marker_name(path.name)
    if marker is not None:
        marker_path = path.with_name(marker)
        if marker_path.is_symlink() or not marker_path.is_file():
            raise IngestError(f"{path}: not complete yet: marker {marker_path} missing")
    age = time.time() - modified
    if age < source.ready.settle_seconds:
        raise IngestError(
            f"{path}: not complete yet: modified {age:.0f} s ago, "
            f"settle_seconds is {source.ready.settle_seconds:g}"
        )


def local_dates(source: LocalSource) -> list[date]:
    """Business dates for which a local source folder holds a file, in order; the pattern may name
    dated sub-folders ('{date:%Y%m%d}/report.csv')."""
    pattern = parse_pattern(source.pattern)
    paths = source.path.rglob("*") if source.path.is_dir() else []
    names = (path.relative_to(source.path).as_posix() for path in paths if path.is_file())
    return sorted(day for day in (pattern.day_of(name) for name in names) if day is not None)
