"""S3 sources: the day's object, downloaded into `<data_dir>/landing/<bucket>/<key>`.

Every request goes through botocore's retry policy and timeouts from the source's settings. The
download is pinned to the object seen at HEAD (its ETag on every GET, its version when the bucket
has versions), so an object overwritten mid-download is never landed as a mix of two versions:
the download starts over once from a new HEAD, then fails. Whatever goes wrong ends as one
IngestError line naming the object, with no partial file left behind and no credential of the
endpoint in it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from s3transfer.exceptions import RetriesExceededError, S3DownloadFailedError
from s3transfer.manager import TransferConfig, TransferManager
from s3transfer.subscribers import BaseSubscriber

from recon.config import S3Source
from recon.errors import IngestError
from recon.sources.landed import Landed
from recon.sources.paths import inside, redact
from recon.store import atomic_output

NOT_FOUND = ("404", "NoSuchKey", "NotFound")
DOWNLOADS = 2  # a download that finds its object changed starts over once from a new HEAD


class ObjectChanged(Exception):
    """The object was overwritten between HEAD and the end of its download."""


@dataclass(frozen=True)
class Head:
    """The object as HEAD saw it: what the download is pinned to."""

    size: int
    etag: str
    version_id: str | None


class PinnedTransfer(TransferManager):
    """s3transfer adds If-Match itself only to the parts of a multipart download; allowing it as an
    extra argument puts it on a single-request download too."""

    ALLOWED_DOWNLOAD_ARGS: ClassVar[list[str]] = [*TransferManager.ALLOWED_DOWNLOAD_ARGS, "IfMatch"]


class KnownObject(BaseSubscriber):
    """Hands s3transfer the size and ETag of our HEAD, so it neither sends its own HEAD (which could
    see a newer object) nor pins the parts to anything else."""

    def __init__(self, head: Head) -> None:
        self.head = head

    def on_queued(self, future, **kwargs) -> None:
        future.meta.provide_transfer_size(self.head.size)
        future.meta.provide_object_etag(self.head.etag)


def client_for(source: S3Source):
    """An S3 client with the source's retry policy and timeouts."""
    config = Config(
        retries={"mode": source.retries.mode, "total_max_attempts": source.retries.max_attempts},
        connect_timeout=source.connect_timeout_seconds,
        read_timeout=source.read_timeout_seconds,
    )
    return boto3.client("s3", endpoint_url=source.endpoint_url, region_name=source.region, config=config)


def fetch_s3(source: S3Source, business_date: date, landing: Path) -> Landed:
    """Download the day's object once it is complete; IngestError (one line) otherwise."""
    key = source.key(business_date)
    origin = f"s3://{source.bucket}/{key}"
    target = inside(landing / source.bucket, key, origin)
    client = client_for(source)
    with s3_errors(client, source.bucket, origin):
        for _attempt in range(DOWNLOADS):
            head = head_object(client, source.bucket, key)
            check_marker(client, source, key)
            try:
                download(client, source, key, head, target)
            except ObjectChanged:
                continue
            return Landed(target, origin, head.size, head.etag, head.version_id)
        raise IngestError(f"{origin}: the object changed during each of {DOWNLOADS} downloads; not landed")


def head_object(client, bucket: str, key: str) -> Head:
    response = client.head_object(Bucket=bucket, Key=key)
    return Head(response["ContentLength"], response["ETag"], response.get("VersionId"))


def marker_key(source: S3Source, key: str) -> str | None:
    """The key of the marker object next to `key`, when the source asks for one."""
    folder, _, name = key.rpartition("/")
    marker = source.ready.marker_name(name)
    if marker is None:
        return None
    return f"{folder}/{marker}" if folder else marker


def check_marker(client, source: S3Source, key: str) -> None:
    """The marker object next to the file must exist when the source asks for one."""
    marker = marker_key(source, key)
    if marker is not None and object_etag(client, source.bucket, marker) is None:
        where, missing = f"s3://{source.bucket}/{key}", f"s3://{source.bucket}/{marker}"
        raise IngestError(f"{where}: not complete yet: marker {missing} missing")


def object_etag(client, bucket: str, key: str) -> str | None:
    """The object's ETag, or None when there is no such object."""
    try:
        return client.head_object(Bucket=bucket, Key=key)["ETag"]
    except ClientError as exc:
        if _code(exc) in NOT_FOUND:
            return None
        raise


def keys_after(client, source: S3Source, start_after: str) -> Iterator[tuple[str, str]]:
    """(key, ETag) of every object under the source's prefix whose key sorts after `start_after`,
    in key order: a listing that resumes where the last one stopped instead of starting over."""
    paginator = client.get_paginator("list_objects_v2")
    pages = paginator.paginate(
        Bucket=source.bucket, Prefix=source.folder, **({"StartAfter": start_after} if start_after else {})
    )
    for page in pages:
        for item in page.get("Contents", []):
            yield item["Key"], item["ETag"]


def download(client, source: S3Source, key: str, head: Head, target: Path) -> None:
    """Write exactly the object of `head` to `target`, atomically; ObjectChanged when S3 no longer
    has it."""
    pinned = {"IfMatch": head.etag, **({"VersionId": head.version_id} if head.version_id else {})}
    config = TransferConfig(num_download_attempts=source.retries.max_attempts)
    with atomic_output(target) as staged, staged.open("wb") as out:
        try:
            with PinnedTransfer(client, config) as manager:
                manager.download(source.bucket, key, out, pinned, [KnownObject(head)]).result()
        except S3DownloadFailedError:
            raise ObjectChanged from None
        except ClientError as exc:
            if _code(exc) == "PreconditionFailed":
                raise ObjectChanged from None
            raise
        out.flush()
        written = os.fstat(out.fileno()).st_size
        if written != head.size:
            raise IngestError(
                f"s3://{source.bucket}/{key}: download incomplete: {written} of {head.size} bytes"
            )


@contextmanager
def s3_errors(client, bucket: str, origin: str) -> Iterator[None]:
    """Every error of botocore and s3transfer as one IngestError line naming the object."""
    try:
        yield
    except ClientError as exc:
        raise IngestError(f"{origin}: {_client_reason(client, bucket, exc)}") from None
    except RetriesExceededError as exc:
        reason = redact(str(exc.last_exception)) or type(exc.last_exception).__name__
        raise IngestError(f"{origin}: download failed after repeated attempts: {reason}") from None
    except (BotoCoreError, S3DownloadFailedError) as exc:
        raise IngestError(f"{origin}: {redact(str(exc))}") from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))


def _client_reason(client, bucket: str, exc: ClientError) -> str:
    code = _code(exc)
    if code in NOT_FOUND:
        return "file not found" if _bucket_exists(client, bucket) else f"bucket '{bucket}' not found"
    attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    shown = f"S3 error {code}" + (f" (HTTP {status})" if status and str(status) != code else "")
    return shown + (f" after {attempts} attempts" if attempts > 1 else "")


def _bucket_exists(client, bucket: str) -> bool:
    """False only when S3 says the bucket itself is missing (a missing object also answers 404)."""
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        return _code(exc) not in ("404", "NoSuchBucket")
    except BotoCoreError:
        return True
    return True
