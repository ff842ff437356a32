"""Publishing a partner's state all at once: versioned folders and one pointer per partner.

Everything recon keeps of a partner (canonical records, quarantine and line accounting of both
sides, and every day's results) lives in one version folder, `store/<partner>/<version>/`, and
readers reach it only through the partner's pointer, the symbolic link `partners/<partner>`.
A step that changes the partner (an ingest, a reconciliation with the later days it recomputes,
a skip) works on a draft: a new version folder whose unchanged files are hard links to the
committed ones (no copy of the data), written privately and committed by replacing the pointer
with one `rename`, the only step that can be seen. A reader, and the next day, therefore see the
old complete state or the new one, never a mix; a run killed at any point leaves only a draft no
pointer names, which the next step of the partner deletes (a rolled-back run) before it starts.

Files are never changed in place: every writer writes a new file and renames it over the old
name, which replaces the draft's hard link and leaves the committed version untouched.
The committed version and the one before it are kept (a reader that resolved the pointer just
before a commit still finds its files); older ones are deleted at commit. All of this happens
under the partner's lock (recon.locks), so the draft being written is never another run's.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from recon.locks import partner_lock
from recon.store import Layout

PREVIOUS = "previous"  # in store/<partner>/: the link to the version committed before the current one


@contextmanager
def partner_versions(layout: Layout, partner_ids: Iterable[str], timeout: float) -> Iterator[Layout]:
    """Lock these partners, start a draft of each and yield a Layout that reads and writes the
    drafts; commit every draft when the block ends normally, discard them all when it raises.

    A partner whose draft this process already holds (an enclosing call) joins that draft, so
    steps compose: `run_day` commits a partner's ingest, reconciliation, later days and
    summaries as one version. Partners are committed one by one; each commit is atomic.
    """
    with ExitStack() as stack:
        drafts: dict[str, Path] = {}
        for partner_id in sorted(set(partner_ids)):
            stack.enter_context(partner_lock(layout.root, partner_id, timeout))
            if partner_id not in layout.drafts:
                drafts[partner_id] = _start_draft(layout, partner_id)
        try:
            yield replace(layout, drafts={**layout.drafts, **drafts})
        except BaseException:
            for draft in drafts.values():
                shutil.rmtree(draft, ignore_errors=True)
            raise
        for partner_id, draft in drafts.items():
            _commit(layout, partner_id, draft)


def _start_draft(layout: Layout, partner_id: str) -> Path:
    """Roll back what a dead run left (drafts no pointer names, DuckDB spill files), then start a
    new draft holding hard links to every file of the committed version."""
    versions = layout.versions(partner_id)
    versions.mkdir(parents=True, exist_ok=True)
    current = committed_version(layout, partner_id)
    _remove_versions_but(versions, current, _linked(versions / PREVIOUS))
    shutil.rmtree(layout.spill_dir(partner_id), ignore_errors=True)
    draft = versions / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    if current is None:
        draft.mkdir()
    else:
        shutil.copytree(current, draft, symlinks=True, copy_function=os.link)
    return draft


def _commit(layout: Layout, partner_id: str, draft: Path) -> None:
    """Make the draft durable, then switch the pointer to it in one rename."""
    _sync_new_files(draft)
    versions = layout.versions(partner_id)
    current = committed_version(layout, partner_id)
    if current is not None:
        _switch(versions / PREVIOUS, Path(current.name))
    pointer = layout.pointer(partner_id)
    pointer.parent.mkdir(parents=True, exist_ok=True)
    _switch(pointer, Path(os.path.relpath(draft, pointer.parent)))
    _remove_versions_but(versions, draft, current)


def _remove_versions_but(versions: Path, *kept: Path | None) -> None:
    """Delete every version folder of `versions` except those given (None stands for none)."""
    names = {path.name for path in kept if path is not None}
    for folder in versions.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.name not in names:
            shutil.rmtree(folder, ignore_errors=True)


def committed_version(layout: Layout, partner_id: str) -> Path | None:
    """The partner's committed version folder, or None before its first commit."""
    return _linked(layout.pointer(partner_id))


def _linked(link: Path) -> Path | None:
    """The folder a link names, or None when there is no link."""
    return link.resolve() if link.is_symlink() else None


def _switch(link: Path, target: Path) -> None:
    """Point `link` at `target` atomically: a new link under a temporary name renamed over it."""
    staged = link.with_name(f".{link.name}.{os.getpid()}.link")
    staged.unlink(missing_ok=True)
    os.symlink(target, staged)
    os.replace(staged, link)
    _sync_folder(link.parent)


def _sync_new_files(draft: Path) -> None:
    """fsync what the draft wrote (files with one link: the others are the committed version's)
    and its folders, so a commit that survived a power loss points at complete files."""
    for folder, _subfolders, files in os.walk(draft):
        for name in files:
            path = Path(folder) / name
            if path.stat().st_nlink == 1:
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        _sync_folder(Path(folder))


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
