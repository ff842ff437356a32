"""Where a business day's file comes from: a local folder (default) or an S3 prefix.

S3 objects are downloaded once into the data directory's landing area, so every later step
(and its lineage) works on a local file whose bytes were fingerprinted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from recon.config import LocalSource, S3Source
from recon.date_pattern import parse_pattern
from recon.errors import IngestError
from recon.store import atomic_output


def fetch(source: LocalSource | S3Source, business_date: date, data_root: Path) -> Path:
    """Local path of the file for `business_date`; IngestError when there is none."""
    name = source.file_name(business_date)
    if isinstance(source, LocalSource):
        path = source.path / name
        if not path.is_file():
            raise IngestError(f"{path}: file not found")
        return path
    return _download(source, name, data_root)


def _download(source: S3Source, name: str, data_root: Path) -> Path:
    key = f"{source.prefix.rstrip('/')}/{name}" if source.prefix else name
    target = data_root / "landing" / source.bucket / key
    client = boto3.client("s3", endpoint_url=source.endpoint_url, region_name=source.region)
    try:
        with atomic_output(target) as staged:
            client.download_file(source.bucket, key, str(staged))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        reason = "file not found" if code in ("404", "NoSuchKey") else f"S3 error {code}"
        if reason == "file not found" and not _bucket_exists(client, source.bucket):
            reason = f"bucket '{source.bucket}' not found"
        raise IngestError(f"s3://{source.bucket}/{key}: {reason}") from None
    except BotoCoreError as exc:
        raise IngestError(f"s3://{source.bucket}/{key}: {exc}") from None
    return target


def _bucket_exists(client, bucket: str) -> bool:
    """False only when S3 says the bucket itself is missing (a missing object also answers 404)."""
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        return exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket")
    except BotoCoreError:
        return True
    return True


def local_dates(source: LocalSource | S3Source) -> list[date]:
    """Business dates for which a local source folder holds a file, in order; the pattern may name
    dated sub-folders ('{date:%Y%m%d}/report.csv')."""
    if not isinstance(source, LocalSource):
        raise IngestError("listing available dates needs a local source")
    pattern = parse_pattern(source.pattern)
    paths = source.path.rglob("*") if source.path.is_dir() else []
    names = (path.relative_to(source.path).as_posix() for path in paths if path.is_file())
    return sorted(day for day in (pattern.day_of(name) for name in names) if day is not None)
