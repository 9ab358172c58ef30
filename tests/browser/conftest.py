"""Browser tests: the bundled example site, built once with search and served on 127.0.0.1,
read by one headless Debian chromium driven through Playwright.

Nothing is downloaded: chromium comes from the system (/usr/bin/chromium) and axe-core from
`.ci/node` (installed by `.ci/run`); a test that lacks either is skipped, never failed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def skip_without_browser() -> None:
    """Call at module level: skips the whole module when chromium or Playwright is missing."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)", allow_module_level=True)


def build_site(root: Path, out: Path, *extra: str) -> tuple[int, str]:
    """Run `docs-builder build` in-process; returns the exit status and what it printed.

    It runs in a thread of its own, as from the command line: Playwright's sync API keeps an
    asyncio loop running in the test thread, and the search indexer calls asyncio.run(), which
    refuses to run inside a running loop (the build would warn DB900 and write no search)."""
    from builder.cli.main import main

    buf = io.StringIO()
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["status"] = main(["build", "--root", str(root), "--out", str(out), *extra])
        except BaseException as err:  # reported by the caller's assertion
            result["error"] = err

    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        worker = threading.Thread(target=run, name="docs-builder-build")
        worker.start()
        worker.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return int(result["status"]), buf.getvalue()  # type: ignore[arg-type]


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[tuple[str, int]]

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass

    def log_request(self, code="-", size="-"):
        self.requests.append((self.path, int(code) if str(code).isdigit() else 0))


@dataclass
class Served:
    """A built site on a local static server (the way a reader's static host would serve it)."""

    out: Path
    base: str
    requests: list[tuple[str, int]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def file(self, path: str) -> Path:
        """The file a URL path is served from."""
        rel = path.split("#")[0].split("?")[0].strip("/")
        return self.out / rel / "index.html" if rel else self.out / "index.html"


@contextlib.contextmanager
def serve(out: Path):
    requests: list[tuple[str, int]] = []
    handler = functools.partial(type("Handler", (_Handler,), {"requests": requests}), directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Served(out, f"http://127.0.0.1:{server.server_port}", requests)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The bundled example site, built once (with search) and served for the whole session."""
    out = tmp_path_factory.mktemp("reader-site") / "site"
    status, log = build_site(REPO, out)
    assert status == 0, log
    assert (out / "_pagefind" / "en" / "shards.json").is_file(), "search index not written:\n" + log
    with serve(out) as served:  # pytest keeps the last three sessions' temporary folders
        yield served


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Reader:
    """Opens pages in fresh browser contexts and records every console error and page error."""

    def __init__(self, browser, site: Served):
        self.browser = browser
        self.site = site
        self.errors: list[str] = []
        self.contexts = []
        self.visited: list[str] = []

    def open(self, path: str, *, width: int = 1280, height: int = 900, color_scheme: str = "light",
             permissions: list[str] | None = None, context=None):
        if context is None:
            context = self.browser.new_context(viewport={"width": width, "height": height},
                                               color_scheme=color_scheme, permissions=permissions or [])
            self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"{page.url}: console: {msg.text}"))
        page.on("pageerror", lambda err: self.errors.append(f"{page.url}: page error: {err}"))
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(frame.url))
        if path:
            response = page.goto(self.site.url(path))
            assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@contextlib.contextmanager
def checked_reader(browser, base_url: str):
    """A `Reader` of the site at `base_url`; fails the test if any page it opened logged an error
    in the console."""
    r = Reader(browser, base_url)
    yield r
    r.close()
    assert not r.errors, "errors in the browser console:\n" + "\n".join(r.errors)


def copy_example_site(base: Path) -> tuple[Path, Path]:
    """The bundled example site's sources copied to `base/src`; returns (root, out = base/site)."""
    import shutil

    root, out = base / "src", base / "site"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    return root, out


@pytest.fixture
def reader(browser, site):
    """Pages opened by a test; fails the test if any of them logged an error in the console."""
    with checked_reader(browser, site) as r:
        yield r
