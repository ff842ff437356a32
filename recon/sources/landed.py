"""What a fetch hands to ingest, and what a landing registry records of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Landed:
    """A complete source file on local disk.

    `origin` is where it came from (the local path or `s3://bucket/key`, never with credentials);
    `etag` and `version_id` are those of the S3 object the bytes were downloaded from (pinned at
    HEAD, so they describe exactly these bytes), None for a local file.
    """

    path: Path
    origin: str
    size: int
    etag: str | None = None
    version_id: str | None = None
