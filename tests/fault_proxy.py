"""An HTTP proxy on 127.0.0.1 in front of an S3 server that breaks chosen requests for real.

Point an S3 client's endpoint at `FaultProxy.url`: every request is forwarded to the upstream
server, except those a `Fault` selects (by method, path, Range header and count), which get a
503 SlowDown, a 500, a reset connection, a stall past the client's read timeout, a body cut short
of its Content-Length, or an action run before forwarding (e.g. overwrite the object). The proxy
logs every request and counts the faults it injected, so tests can assert what really happened.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

Kind = Literal["slowdown", "error500", "reset", "stall", "truncate", "before"]
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
ERROR_BODIES = {
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "error500": (500, "InternalError", "We encountered an internal error. Please try again."),
}


@dataclass
class Fault:
    """Break the matching requests number `after + 1` to `after + times` (counted per fault)."""

    kind: Kind
    method: str = "GET"
    path: str = ""
    ranged: bool = False
    after: int = 0
    times: int = 1
    stall_seconds: float = 3.0
    action: Callable[[], None] | None = None
    seen: int = field(default=0, init=False)
    injected: int = field(default=0, init=False)

    def matches(self, method: str, path: str, headers: dict[str, str]) -> bool:
        return method == self.method and self.path in path and (not self.ranged or "range" in headers)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    fault: Kind | None


class FaultProxy:
    """A threaded proxy on a free local port; use as a context manager."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def __enter__(self) -> FaultProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()
            self.requests.clear()

    @property
    def injected(self) -> int:
        """Faults injected so far, all kinds."""
        return sum(fault.injected for fault in self.faults)

    @contextmanager
    def only(self, fault: Fault) -> Iterator[Fault]:
        """`fault` active for the block (and the log cleared before it)."""
        self.clear()
        yield self.inject(fault)
        with self.lock:
            self.faults.remove(fault)

    def _choose(self, method: str, path: str, headers: dict[str, str]) -> Fault | None:
        with self.lock:
            chosen = None
            for fault in self.faults:
                if fault.matches(method, path, headers):
                    fault.seen += 1
                    if chosen is None and fault.after < fault.seen <= fault.after + fault.times:
                        fault.injected += 1
                        chosen = fault
            self.requests.append(Request(method, path, chosen.kind if chosen else None))
            return chosen

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the request log is `proxy.requests`."""

            def do_GET(self) -> None:
                self._serve()

            do_HEAD = do_PUT = do_POST = do_DELETE = do_GET

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                fault = proxy._choose(self.command, self.path, headers)
                if fault is None or fault.kind == "before":
                    if fault is not None and fault.action is not None:
                        fault.action()
                    self._forward(body, truncate=False)
                elif fault.kind in ERROR_BODIES:
                    self._error(*ERROR_BODIES[fault.kind])
                elif fault.kind == "reset":
                    self._reset()
                elif fault.kind == "stall":
                    time.sleep(fault.stall_seconds)
                    self._reset()
                else:
                    self._forward(body, truncate=True)

            def _forward(self, body: bytes, truncate: bool) -> None:
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                try:
                    sent = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                    upstream.request(self.command, self.path, body=body or None, headers=sent)
                    response = upstream.getresponse()
                    payload = response.read()
                    self.send_response(response.status, response.reason)
                    for name, value in response.getheaders():
                        if name.lower() not in HOP_BY_HOP | {"content-length"}:
                            self.send_header(name, value)
                    declared = response.getheader("Content-Length") if self.command == "HEAD" else None
                    self.send_header("Content-Length", declared or str(len(payload)))
                    self.end_headers()
                    if self.command == "HEAD":
                        return
                    if truncate:
                        self.wfile.write(payload[: len(payload) // 2])
                        self.wfile.flush()
                        self._reset()
                        return
                    self.wfile.write(payload)
                finally:
                    upstream.close()

            def _error(self, status: int, code: str, message: str) -> None:
                xml = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f"<Error><Code>{code}</Code><Message>{message}</Message>"
                    "<RequestId>fault-proxy</RequestId></Error>"
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(xml)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(xml)

            def _reset(self) -> None:
                """Close with RST (linger 0): the client sees the connection reset or cut short."""
                self.close_connection = True
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()

            def finish(self) -> None:
                with suppress(OSError, ValueError):
                    super().finish()

        return Handler
