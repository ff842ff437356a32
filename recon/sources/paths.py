"""Names that come from configuration or from a remote listing are hostile until checked.

A key or file name is turned into a path below a landing folder only when every part of it is an
ordinary name, and the resolved target is checked to lie inside that folder, so no prefix, pattern
or object key can make a download write (or a local source read) anywhere else.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from recon.errors import IngestError

_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s\"'`@]*@")  # a password may hold '/'
_URL_QUERY = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s\"'?#]*)[?#][^\s\"']*")


def relative_problem(text: str) -> str | None:
    """Why `text` (a prefix, key or file name with '/' between folders) is not a plain relative
    name that stays inside its folder, or None when it is."""
    if "\x00" in text:
        return "contains a NUL character"
    if "\\" in text:
        return "contains a backslash; separate folders with '/'"
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return "is absolute; it must be relative to its folder"
    parts = text.split("/")
    if any(part in ("..", ".") for part in parts):
        return "has a '.' or '..' part; it must stay inside its folder"
    if any(part == "" for part in parts):
        return "has an empty part ('//')"
    return None


def check_relative(text: str) -> str:
    """`text` unchanged, or ValueError saying why it would leave its folder (for config validators)."""
    problem = relative_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def inside(folder: Path, name: str, where: str) -> Path:
    """`folder / name`, refused (IngestError naming `where`) when the name is not a plain relative
    name or its resolved target lies outside the folder's resolved path."""
    problem = relative_problem(name)
    if problem is not None:
        raise IngestError(f"{where}: {problem}; refused")
    target = folder / PurePosixPath(name)
    if not target.resolve().is_relative_to(folder.resolve()):
        raise IngestError(f"{where}: resolves outside {folder}; refused")
    return target


def redact_url(url: str) -> str:
    """The URL without user name, password, query or fragment: what may be printed of an endpoint."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def redact(text: str) -> str:
    """`text` (e.g. a library's error message) with credentials and query tokens of any URL in it
    removed."""
    return _URL_QUERY.sub(r"\1", _URL_USERINFO.sub(r"\1", text))
