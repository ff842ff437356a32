"""Where a business day's file comes from: a local folder (default) or an S3 prefix.

S3 objects are downloaded once into the data directory's landing area, so every later step
(and its lineage) works on a local file whose bytes were fingerprinted. boto3 loads only when an
S3 source is fetched.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from recon.errors import IngestError
from recon.sources.landed import Landed
from recon.sources.local import fetch_local
from recon.sources.local import local_dates as _local_dates

if TYPE_CHECKING:  # recon.config reads recon.sources.paths while it loads
    from recon.config import LocalSource, S3Source

__all__ = ["Landed", "fetch", "local_dates"]


def fetch(source: LocalSource | S3Source, business_date: date, data_root: Path) -> Landed:
    """The complete file for `business_date` on local disk; IngestError (one line) when there is none,
    it is not complete yet, or it cannot be read safely."""
    if source.kind == "local":
        return fetch_local(source, business_date)
    from recon.sources.s3 import fetch_s3

    return fetch_s3(source, business_date, data_root / "landing")


def local_dates(source: LocalSource | S3Source) -> list[date]:
    """Business dates for which a local source folder holds a file, in order."""
    if source.kind != "local":
        raise IngestError("listing available dates needs a local source")
    return _local_dates(source)
