"""`docs-builder serve`: a local preview that renders pages on request and reloads them on edits."""

from __future__ import annotations

import errno
import http.server
import ipaddress
import os
import re
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..core.errors import EXIT_USAGE
from ..layout.render import Layout
from .renderer import DevSite, Response
from .files import safe_join
from .search import DevSearch
from .status import status_page
from .overlay import inject_livereload, with_state

MIME = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".gif": "image/gif", ".wasm": "application/wasm", ".pf_meta": "application/octet-stream",
    ".pagefind": "application/octet-stream", ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream", ".pf_filter": "application/octet-stream",
}


class Hub:
    """Tells open pages (server-sent events) when an edit changed them."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.versions: dict[str, int] = {}
        self.everything = 0

    def bump(self, paths: set[str]) -> None:
        with self.cond:
            if "*" in paths:
                self.everything += 1
            for p in paths:
                self.versions[p.rstrip("/") or "/"] = self.versions.get(p.rstrip("/") or "/", 0) + 1
            self.cond.notify_all()

    def state(self, path: str) -> str:
        return f"{self.everything}.{self.versions.get(path.rstrip('/') or '/', 0)}"


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, as given to --host or in a Host header) is this
    machine only: `localhost` or a loopback address."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST_HEADER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::\d*)?")


def host_name(header: str) -> str:
    """The name in a Host header without its port (`[::1]:4000` is `[::1]`); '' when the header
    is not a name or an address with an optional port."""
    found = _HOST_HEADER.fullmatch(header.strip())
    return found.group(1) if found else ""


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "docs-builder"
    dev: DevSite
    hub: Hub
    search: DevSearch
    static: dict[str, bytes]
    allowed_hosts: frozenset[str] = frozenset()
    """Host names answered besides localhost and loopback addresses (the --host address)."""
    timeout: float | None = 30
    """Idle timeout: a read or write that makes no progress for this long ends the connection
    (a stalled client, a live-reload tab whose reader stopped)."""
    read_timeout: float = 10
    """The whole request line and headers must arrive within this, or the connection is closed
    (a client sending one byte at a time cannot hold a thread)."""
    _deadline: threading.Timer | None = None
    _expired: bool = False
    _head_read: bool = False
    """Set under `_guard` once the request head is parsed: the deadline then does nothing."""

    def log_message(self, format, *args):  # noqa: A002 - quiet by default
        if os.environ.get("DOCS_BUILDER_SERVE_LOG"):
            super().log_message(format, *args)

    # Read timeout: a deadline for the request head --------------------------------------

    def handle_one_request(self):
        self._expired = self._head_read = False
        self._guard = threading.Lock()
        self._deadline = threading.Timer(self.read_timeout, self._expire)
        self._deadline.daemon = True
        self._deadline.start()
        try:
            super().handle_one_request()
        finally:
            self._deadline.cancel()

    def parse_request(self) -> bool:
        ok = super().parse_request()
        with self._guard:  # a deadline firing now can no longer cut the answer
            self._head_read = True
            self._deadline.cancel()
            expired = self._expired
        if expired:  # what arrived before the deadline is not answered
            self.close_connection = True
            return False
        return ok

    def _expire(self) -> None:
        with self._guard:
            if self._head_read:
                return
            self._expired = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _host_allowed(self) -> bool:
        """DNS rebinding: a page on another site, whose name the attacker points at 127.0.0.1,
        would reach this server with its own name as Host. Only local names are answered."""
        name = host_name(self.headers.get("Host", ""))
        return bool(name) and (is_loopback(name) or name.lower() in self.allowed_hosts)

    def do_HEAD(self):
        self.do_GET(head=True)

    def _refused(self, head: bool) -> bool:
        """Answer a request whose Host is not allowed (421, or 400 without one); True if it was."""
        if self._host_allowed():
            return False
        host = self.headers.get("Host", "")
        body = (f"docs-builder serve answers requests for localhost only, not for Host {host!r}; "
                f"open http://127.0.0.1:{self.server.server_address[1]}/ instead\n")
        self._send(Response(421 if host else 400, body.encode(), "text/plain; charset=utf-8"), head)
        return True

    def do_GET(self, head: bool = False):
        url = urlsplit(self.path)
        path = url.path
        if self._refused(head):
            return None
        try:
            if path == "/__livereload":
                return self._events(parse_qs(url.query).get("path", ["/"])[0])
            if path.startswith("/_static/"):
                data = self.static.get(path.lstrip("/"))
                return self._send(Response(200, data, MIME.get(Path(path).suffix, "application/octet-stream"))
                                  if data is not None else Response(404, b"Not found", "text/plain"), head)
            if path.startswith("/_pagefind/"):
                return self._send(self.search.response(path), head)
            if safe_join(self.dev.scratch, path) is None:
                return self._send(Response(403, b"Forbidden", "text/plain"), head)
            state = self.hub.state(path)  # before the page is made: a later edit reloads it
            response = self.dev.page_response(path)
            if response is None:
                status = status_page(self.dev, path)
                response = Response(200, status) if status is not None else None
            if response is None:
                target = self.dev.redirect_for(path)
                response = Response(302, location=target) if target else Response(404, _not_found(path), "text/html; charset=utf-8")
            if response.body and response.content_type.startswith("text/html"):
                response.body = with_state(response.body, state)
            return self._send(response, head)
        except (BrokenPipeError, ConnectionResetError):
            return None
        except Exception as err:  # noqa: BLE001 - the server keeps running whatever a page does
            body = f"internal error while serving {path}: {type(err).__name__}: {err}".encode()
            return self._send(Response(500, body, "text/plain; charset=utf-8"), head)

    def _send(self, response: Response, head: bool) -> None:
        body = response.body
        if response.file is not None:
            try:
                body = response.file.read_bytes()
            except OSError:
                response, body = Response(404), b"Not found"
            ctype = MIME.get(response.file.suffix if response.file else "", "application/octet-stream")
        else:
            ctype = response.content_type
        self.send_response(response.status)
        if response.location:
            self.send_header("Location", response.location)
        if response.status == 503:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self, path: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        hub = self.hub
        last = None
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline and not getattr(self.server, "stopping", False):
            with hub.cond:
                state = hub.state(path)
                if state == last:
                    hub.cond.wait(timeout=15)
                    state = hub.state(path)
            try:
                if state != last:
                    self.wfile.write(f"data: {state}\n\n".encode())
                    last = state
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return


def _not_found(path: str) -> bytes:
    from html import escape

    return inject_livereload(  # reloads when a save creates the page (or repairs its parent)
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>"
        f"<body><h1>Not found</h1><p>No page at <code>{escape(path)}</code>.</p></body></html>").encode()


class DevServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    max_connections = 256
    """Connections served at once; more are closed at once (each holds a thread)."""

    def __init__(self, *args, **kwargs):
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class PortUnavailable(Exception):
    """The address to serve on cannot be used (taken, or not this machine's)."""


def make_server(root: Path, host: str, port: int, versions=None, languages=None,
                allowed_hosts: tuple[str, ...] = ()):
    """The server, its site and its reload hub. Raises PortUnavailable, or the site's BuildError
    when it does not load; nothing is left behind either way."""
    try:  # before DevSite's scratch folder: a busy port leaves nothing to clean up
        server = DevServer((host, port), Handler)
    except OSError as err:
        reason = err.strerror or str(err)
        if err.errno == errno.EADDRINUSE:
            reason = "the port is already in use; stop the other server or choose another with --port"
        raise PortUnavailable(f"cannot serve on {host}:{port}: {reason}") from None
    try:
        dev = DevSite(root, versions, languages)
    except BaseException:
        server.server_close()
        raise
    hub = Hub()
    server.search = DevSearch(dev)
    names = {h.strip().lower() for h in allowed_hosts if h.strip()}
    if not _wildcard(host):
        names.add(host.strip().lower())
    server.RequestHandlerClass = type("BoundHandler", (Handler,), {
        "dev": dev, "hub": hub, "search": server.search, "static": Layout.static_files(), "allowed_hosts": frozenset(names)})
    return server, dev, hub


def _wildcard(host: str) -> bool:
    return host.strip() in ("", "0.0.0.0", "::", "[::]")


def exposure_warning(host: str, bound: str, allowed: frozenset[str]) -> str | None:
    """The warning printed when the server listens beyond this machine, or None."""
    if is_loopback(host) and is_loopback(bound):
        return None
    names = ", ".join(["localhost", "loopback addresses", *sorted(allowed)])
    return (f"docs-builder: warning: --host {host} makes the preview reachable from other machines on the "
            "network; it shows unpublished content and is not hardened for untrusted networks. Requests are "
            f"answered only for Host {names} (add names with --allow-host). Use the default --host "
            "127.0.0.1 unless you mean it.")


def watch(dev: DevSite, hub: Hub, stop: threading.Event, ready: threading.Event | None = None) -> None:
    """Reload the site after edits; `ready` is set once the watcher is listening."""
    from watchfiles import DefaultFilter, watch as watch_files

    paths = [str(dev.root / p) for p in ("content", "data", "translations", "templates") if (dev.root / p).is_dir()]
    if not paths:
        if ready is not None:
            ready.set()
        return
    root = dev.root.resolve()
    for changes in watch_files(*paths, watch_filter=DefaultFilter(), debounce=300, step=50, stop_event=stop,
                               yield_on_timeout=True, rust_timeout=200):
        if ready is not None:
            ready.set()
        if not changes:
            continue
        changed = set()
        for _kind, path in changes:
            try:
                changed.add(Path(path).resolve().relative_to(root).as_posix())
            except ValueError:
                continue
        hub.bump(dev.reload(changed))


def serve(args) -> int:
    root = Path(args.root)
    try:
        server, dev, hub = make_server(root, args.host, args.port, args.versions, args.languages,
                                       tuple(getattr(args, "allow_hosts", None) or ()))
    except PortUnavailable as err:
        print(f"docs-builder: {err}", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    host, port = server.server_address[:2]
    warning = exposure_warning(args.host, host, server.RequestHandlerClass.allowed_hosts)
    if warning:
        print(warning, file=sys.stderr)
    print(f"Serving {root.resolve()} at http://{host}:{port}{dev.start_url()}  (Ctrl+C to stop)", file=sys.stderr)
    if dev.problems.errors:
        print(f"  {len(dev.problems.errors)} problems found while loading; pages show them when opened", file=sys.stderr)
    threading.Thread(target=watch, args=(dev, hub, stop), daemon=True).start()
    threading.Thread(target=dev.fill, args=(stop,), daemon=True).start()
    threading.Thread(target=server.search.run, args=(stop,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stopping = True
        server.server_close()
        dev.close()
    return 0
