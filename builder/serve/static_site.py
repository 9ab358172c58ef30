"""`docs-builder serve --site [DIR]`: a built site served as a static host serves it.

Files are served as they are (`/en/packages/` and `/en/packages` both answer with
`en/packages/index.html`); an old URL listed in the site's `redirects.json` answers 301 to its
page, as a host applying `_redirects` does; a missing URL answers 404 with the language's
`/<lang>/404.html` (or `/404.html`), which is what `_redirects` tells Netlify and Cloudflare Pages
to do. Nothing is rendered and nothing in DIR is changed. The server keeps the preview's
safety: loopback only by default, the Host check against DNS rebinding, the request deadline,
and no file outside DIR (`safe_join`) or under a dot folder (`.build/`) is ever served.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..core.errors import EXIT_USAGE
from .files import safe_join
from .renderer import Response
from .server import MIME, DevServer, Handler, exposure_warning, _wildcard

TYPES = {**MIME, ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
         ".md": "text/markdown; charset=utf-8", ".conf": "text/plain; charset=utf-8", ".ico": "image/x-icon",
         ".webp": "image/webp", ".woff2": "font/woff2"}
NOT_FOUND = "404.html"


class BuiltSite:
    """What the server answers for a URL path of the built site in `folder`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.redirects = self._redirects()

    def _redirects(self) -> dict[str, str]:
        path = safe_join(self.folder, "redirects.json")
        try:
            data = json.loads(path.read_text("utf-8")) if path is not None and path.is_file() else {}
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k.rstrip("/") or "/": v for k, v in data.items()
                if isinstance(k, str) and isinstance(v, str) and _site_path(v)}

    def response(self, path: str) -> Response:
        if any(part.startswith(".") for part in unquote(path).split("/")):
            return self.not_found(path)  # .build/ (manifest, cache) and other dot files stay private
        target = self.redirects.get(quote(unquote(path), safe="/@-._~").rstrip("/") or "/")
        if target is not None:
            return Response(301, b"", location=target)
        file = safe_join(self.folder, path)
        if file is None:
            return Response(403, b"Forbidden", "text/plain; charset=utf-8")
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            return self.file(file, 200)
        return self.not_found(path)

    def not_found(self, path: str) -> Response:
        """404 with the page of the path's language (`/fr/...` -> `fr/404.html`), else `/404.html`."""
        first = unquote(path).strip("/").split("/")[0]
        for rel in ([f"{first}/{NOT_FOUND}"] if first and not first.startswith(".") else []) + [NOT_FOUND]:
            page = safe_join(self.folder, rel)
            if page is not None and page.is_file():
                return self.file(page, 404)
        return Response(404, b"Not found", "text/plain; charset=utf-8")

    @staticmethod
    def file(path: Path, status: int) -> Response:
        try:
            data = path.read_bytes()
        except OSError:
            return Response(404, b"Not found", "text/plain; charset=utf-8")
        ctype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Response(status, data, ctype)


def _site_path(target: str) -> bool:
    """A redirect target that stays on this site and fits in a header: `/path`, never `//host`,
    `/\\host` (browsers read both as another host), a space or a control character."""
    return (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(c) < 33 or ord(c) == 127 for c in target))


class SiteHandler(Handler):
    """The preview's handler (Host check, request deadline, answers) for a built folder."""

    built: BuiltSite

    def do_GET(self, head: bool = False):
        if self._refused(head):
            return None
        try:
            return self._send(self.built.response(urlsplit(self.path).path), head)
        except (BrokenPipeError, ConnectionResetError):
            return None


def make_site_server(folder: Path, host: str, port: int, allowed_hosts: tuple[str, ...] = ()) -> DevServer:
    from .server import PortUnavailable

    try:
        server = DevServer((host, port), SiteHandler)
    except OSError as err:
        reason = err.strerror or str(err)
        if err.errno == errno.EADDRINUSE:
            reason = "the port is already in use; stop the other server or choose another with --port"
        raise PortUnavailable(f"cannot serve on {host}:{port}: {reason}") from None
    names = {h.strip().lower() for h in allowed_hosts if h.strip()}
    if not _wildcard(host):
        names.add(host.strip().lower())
    server.RequestHandlerClass = type("BoundSiteHandler", (SiteHandler,), {
        "built": BuiltSite(folder), "allowed_hosts": frozenset(names)})
    return server


def site_folder(args) -> Path:
    """`--site DIR`, or `<root>/site` for a bare `--site`."""
    return Path(args.site) if args.site else Path(args.root) / "site"


def serve_site(args) -> int:
    from .server import PortUnavailable

    folder = site_folder(args)
    if args.versions or args.languages:
        print("docs-builder: --version and --language choose what the live preview renders; serve --site "
              "serves the built site as it is (build it with them instead)", file=sys.stderr)
        return EXIT_USAGE
    if not (folder / "index.html").is_file() and not (folder / NOT_FOUND).is_file():
        print(f"docs-builder: {folder} is not a built site (no index.html or 404.html); run "
              f"`docs-builder build --out {folder}` first", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = make_site_server(folder, args.host, args.port, tuple(getattr(args, "allow_hosts", None) or ()))
    except PortUnavailable as err:
        print(f"docs-builder: {err}", file=sys.stderr)
        return EXIT_USAGE
    host, port = server.server_address[:2]
    warning = exposure_warning(args.host, host, server.RequestHandlerClass.allowed_hosts)
    if warning:
        print(warning, file=sys.stderr)
    print(f"Serving the built site {folder.resolve()} at http://{host}:{port}/  (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping = True
        server.server_close()
    return 0

