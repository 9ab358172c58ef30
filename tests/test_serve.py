"""The dev server: pages on request, live reload after an edit, error overlay, and safety."""

from __future__ import annotations

import concurrent.futures
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from html import escape as html_escape

import pytest

from builder.cli.main import make_parser
from builder.serve import renderer
from builder.serve.renderer import DevSite
from builder.serve.server import make_server, watch
from tests.conftest import REPO


@pytest.fixture
def served(tmp_path):
    yield from _served(tmp_path)


@pytest.fixture
def served_with_search(tmp_path):
    """`served`, with the server's search index (its thread is started by the test)."""
    yield from _served(tmp_path, with_search=True)


def _served(tmp_path, with_search: bool = False, fill: bool = False):
    """A preview server on a copy of the example site; `fill` also renders every page in the
    background (as `docs-builder serve` does). Yields (root, base URL, renderer[, search index,
    stop event])."""
    root = tmp_path / "src"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    server, dev, hub = make_server(root, "127.0.0.1", 0)
    stop = threading.Event()
    ready = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=watch, args=(dev, hub, stop, ready), daemon=True).start()
    if fill:
        threading.Thread(target=dev.fill, args=(stop,), daemon=True).start()
    assert ready.wait(20), "the file watcher did not start"
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield (root, base, dev, server.search, stop) if with_search else (root, base, dev)
    stop.set()
    server.stopping = True
    server.shutdown()
    server.server_close()
    dev.close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def raw_get(base: str, path: str) -> int:
    """A request with the path sent exactly as written (no client-side normalisation)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def wait_for(predicate, timeout: float = 40.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_default_host_is_loopback():
    args = make_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 4000


def test_pages_render_on_request_and_redirects_work(served):
    _root, base, dev = served
    status, html = get(base + "/en/packages/quickstart")
    assert status == 200 and "</h1>" in html and "EventSource" in html
    assert len(dev.records) < len(dev.site.tree.pages)  # the whole site was not built first
    status, html = get(base + "/fr/enterprise-server@3.16/packages/quickstart")
    assert status == 200 and 'lang="fr"' in html
    status, html = get(base + "/")
    assert status == 200 and "</h1>" in html  # followed the redirect to /en
    status, _ = get(base + "/en/no/such/page")
    assert status == 404



def listen_for_reloads(base: str, path: str) -> list[str]:
    """Open the page's live-reload stream in a thread; its first two events land in the list."""
    events: list[str] = []

    def listen():
        stream = urllib.request.urlopen(f"{base}/__livereload?path={path}", timeout=30)
        for line in stream:
            if line.startswith(b"data:"):
                events.append(line.decode().strip())
            if len(events) >= 2:
                return

    threading.Thread(target=listen, daemon=True).start()
    return events

def test_edit_reloads_the_open_page(served):
    root, base, _dev = served
    assert get(base + "/en/packages/quickstart")[0] == 200
    events = listen_for_reloads(base, "/en/packages/quickstart")
    assert wait_for(lambda: len(events) >= 1)
    page = root / "content/packages/quickstart.md"
    page.write_text(page.read_text("utf-8") + "\nA freshly added sentence.\n", "utf-8")
    assert wait_for(lambda: len(events) >= 2), "no reload event after the edit"
    assert "A freshly added sentence." in get(base + "/en/packages/quickstart")[1]


def test_broken_edit_shows_an_overlay_and_the_server_keeps_running(served):
    root, base, _dev = served
    page = root / "content/packages/quickstart.md"
    good = page.read_text("utf-8")
    page.write_text(good + "\n{% ifversion ghes %}never closed\n", "utf-8")
    assert wait_for(lambda: get(base + "/en/packages/quickstart")[0] == 500)
    status, html = get(base + "/en/packages/quickstart")
    assert "This page could not be built" in html
    assert "content/packages/quickstart.md:" in html and "error[DB203]" in html
    assert "{% ifversion ghes %}never closed" in html
    page.write_text(good, "utf-8")
    assert wait_for(lambda: get(base + "/en/packages/quickstart")[0] == 200)


def test_nothing_outside_the_site_is_served(served, tmp_path):
    root, base, dev = served
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", "utf-8")
    os.symlink(secret, dev.scratch / "leak.html")
    os.makedirs(dev.scratch / "_pagefind", exist_ok=True)
    os.symlink(secret, dev.scratch / "_pagefind" / "leak.js")
    for path in ("/../secret.txt", "/%2e%2e/%2e%2e/etc/passwd", "/_pagefind/%2e%2e/%2e%2e/etc/passwd",
                 "/_pagefind/leak.js", "/leak.html", "//etc/passwd", "/_static/..%2f..%2fsetup.py",
                 "/en/%00", "/_pagefind/..%5c..%5cetc"):
        status = raw_get(base, path)
        assert status in (403, 404), (path, status)


def test_a_burst_of_concurrent_requests(served):
    _root, base, _dev = served
    paths = ["/en/packages/quickstart", "/fr/packages", "/_static/style.css", "/en/admin", "/en/nope"] * 40

    def fetch(path):
        return get(base + path)[0]

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(fetch, paths))
    assert len(statuses) == 200
    assert set(statuses) <= {200, 302, 404}
    assert statuses.count(404) == 40
    assert time.monotonic() - start < 60
    assert get(base + "/en/packages/quickstart")[0] == 200  # still up


def test_the_requested_page_comes_first_and_the_rest_in_the_background(served):
    root, base, dev = served
    status, body = get(base + "/fr/enterprise-server@3.15/packages/quickstart")
    assert status == 200 and "<h1" in body
    # Only what was asked for is rendered: not the page's other languages and versions.
    written = sorted(p.relative_to(dev.scratch).as_posix() for p in dev.scratch.rglob("index.html"))
    assert written == ["fr/enterprise-server@3.15/packages/quickstart/index.html"]
    stop = threading.Event()
    threading.Thread(target=dev.fill, args=(stop,), daemon=True).start()
    try:
        assert wait_for(lambda: len(dev.records) == len(dev.site.tree.pages))
        assert (dev.scratch / "en/enterprise-server@3.17/admin/configuring-package-storage/index.html").is_file()
        assert (dev.scratch / "en/packages/quickstart/index.html").is_file()
        # An edit invalidates the page; the background fill renders it again.
        page = root / "content/packages/learn/about-packages.md"
        page.write_text(page.read_text("utf-8") + "\nFilled again.\n", "utf-8")
        target = dev.scratch / "en/packages/learn/about-packages/index.html"
        assert wait_for(lambda: target.is_file() and "Filled again." in target.read_text("utf-8"))
    finally:
        stop.set()


# Start-up failures, races with edits, and shutdown -------------------------------------------


@pytest.fixture
def dev_site(tmp_path):
    """A DevSite without server or file watcher: the test decides when the site reloads."""
    root = tmp_path / "src"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    dev = DevSite(root, None, None)
    yield root, dev
    dev.close()


def run_cli(args: list[str], tmp) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp)}  # where a scratch folder would be left
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def body_of(response) -> str:
    data = response.file.read_bytes() if response.file is not None else response.body
    return data.decode("utf-8")


def test_serve_reports_a_bad_selection_and_leaves_nothing_behind(tmp_path):
    result = run_cli(["serve", "--root", str(REPO), "--port", "0", "--version", "nosuch"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "error[DB604]: --version 'nosuch' is not a version" in result.stderr
    assert "internal error" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_serve_on_a_busy_port_says_so_and_leaves_nothing_behind(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(["serve", "--root", str(REPO), "--port", str(port)], tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "already in use" in lines[0] and "--port" in lines[0]
    assert "internal error" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_request_racing_an_edit_shows_the_edited_page(dev_site):
    root, dev = dev_site
    path = "/en/packages/quickstart"
    lang, version, before = dev.locate(path)  # the request finds the page...
    src = root / "content/packages/quickstart.md"
    text = src.read_text("utf-8")
    src.write_text(text.replace("title: 'Quickstart for", "title: 'Retitled quickstart for", 1), "utf-8")
    dev.reload({"content/packages/quickstart.md"})  # ...an edit reloads the site before it renders
    dev.render(before, (lang.code, version.id))
    assert "Retitled quickstart for" in body_of(dev.page_response(path))


def test_redirects_computed_while_an_edit_reloads_are_not_kept(dev_site, monkeypatch):
    root, dev = dev_site
    src = root / "content/packages/quickstart.md"
    src.write_text(src.read_text("utf-8").replace("redirect_from:\n", "redirect_from:\n  - /packages/brand-new-alias\n", 1),
                   "utf-8")
    from builder.pipeline import session as session_module

    real_site, real_compute = session_module.Site, renderer.compute_redirects
    loading = threading.Event()
    reloads: list[threading.Thread] = []

    def site(*args, **kwargs):
        loading.set()
        return real_site(*args, **kwargs)

    def compute(*args, **kwargs):
        result = real_compute(*args, **kwargs)  # the map of the site before the edit
        reloads.append(threading.Thread(target=dev.reload, args=({"content/packages/quickstart.md"},)))
        reloads[0].start()
        if loading.wait(1):  # the reload did not wait for this map: let it finish first
            reloads[0].join()
        return result

    monkeypatch.setattr(session_module, "Site", site)
    monkeypatch.setattr(renderer, "compute_redirects", compute)
    assert dev.redirect_for("/en/packages/brand-new-alias") is None
    monkeypatch.setattr(renderer, "compute_redirects", real_compute)
    reloads[0].join()
    assert dev.redirect_for("/en/packages/brand-new-alias") == "/en/packages/quickstart"


def test_closing_while_a_page_builds_leaves_no_scratch_folder(dev_site):
    _root, dev = dev_site
    page = dev.locate("/en/packages/quickstart")[2]
    other = dev.locate("/en/packages/learn/about-packages")[2]
    building, closing = threading.Event(), threading.Event()
    real_build = dev.builder.build

    def slow_build(*args, **kwargs):
        building.set()
        closing.wait(5)
        time.sleep(0.3)  # close() is under way
        return real_build(*args, **kwargs)

    dev.builder.build = slow_build
    filling = threading.Thread(target=dev.render, args=(page,))
    filling.start()
    assert building.wait(20)
    closing.set()
    dev.close()
    filling.join()
    assert not dev.scratch.exists()
    dev.render(other)  # a build finishing after close() writes nothing either
    assert not dev.scratch.exists()


# Network hardening: Host names, exposure, slow clients ----------------------------------------


def request_with_host(base: str, host: str | None, path: str = "/en/packages/quickstart") -> tuple[int, str]:
    """A GET sent with exactly this Host header (None: without one)."""
    name, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(name, int(port), timeout=20)
    conn.putrequest("GET", path, skip_host=True)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    response = conn.getresponse()
    streaming = path.startswith("/__livereload") and response.status == 200
    body = "" if streaming else response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body


def test_only_requests_for_local_host_names_are_answered(served):
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends
    `Host: evil.example`; it must not read the preview."""
    _root, base, _dev = served
    port = base.rsplit(":", 1)[1]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost", f"LOCALHOST:{port}",
                 f"127.0.0.2:{port}"):
        assert request_with_host(base, host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}",
                 f"localhost.evil.example:{port}", f"192.168.1.20:{port}", "[::1].evil.example"):
        for path in ("/en/packages/quickstart", "/_static/style.css", "/__livereload?path=/", "/nope"):
            status, body = request_with_host(base, host, path)
            assert status == 421, (host, path, status)
            assert "answers requests for localhost only" in body and f"127.0.0.1:{port}" in body
    status, body = request_with_host(base, None)
    assert status == 400 and "localhost only" in body


def _closed_by_server(sock: socket.socket, trickle: bytes = b"", rounds: int = 300) -> tuple[bool, bytes]:
    """Send `trickle` a byte every 0.1 s (or nothing) until the server closes the connection;
    (whether it did within `rounds` rounds, what it sent back)."""
    import select

    received = b""
    for i in range(rounds):
        if trickle:
            try:
                sock.sendall(trickle[i % len(trickle):][:1])
            except OSError:
                return True, received
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            try:
                data = sock.recv(4096)
            except OSError:
                return True, received
            if not data:
                return True, received
            received += data
    return False, received


def test_a_client_sending_its_request_slowly_is_cut_off(served, monkeypatch):
    from builder.serve import server as server_module

    monkeypatch.setattr(server_module.Handler, "read_timeout", 1.0)
    _root, base, _dev = served
    name, port = base.removeprefix("http://").split(":")
    with socket.create_connection((name, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /en/packages/quickstart HTTP/1.1\r\nHost: localhost\r\n")
        closed, received = _closed_by_server(sock, trickle=b"X-Slow: " + b"a" * 1000)
    assert closed, "a client trickling its headers held the connection (and a thread) for 30 s"
    assert b"HTTP/1" not in received  # the unfinished request was not answered
    with socket.create_connection((name, int(port)), timeout=30) as sock:
        closed, received = _closed_by_server(sock)  # connects and says nothing
    assert closed and received == b""
    assert get(base + "/en/packages/quickstart")[0] == 200  # and the server still answers


def test_live_reload_streams_outlive_the_read_timeout(served, monkeypatch):
    from builder.serve import server as server_module

    monkeypatch.setattr(server_module.Handler, "read_timeout", 0.5)
    root, base, _dev = served
    assert get(base + "/en/packages/quickstart")[0] == 200
    events = listen_for_reloads(base, "/en/packages/quickstart")
    assert wait_for(lambda: len(events) >= 1)
    time.sleep(1.5)  # three read timeouts: the stream is past its request and must stay open
    page = root / "content/packages/quickstart.md"
    page.write_text(page.read_text("utf-8") + "\nStill listening.\n", "utf-8")
    assert wait_for(lambda: len(events) >= 2), "the live-reload stream was cut by the read timeout"


def _serve_until_listening(args: list[str], tmp) -> tuple[subprocess.Popen, list[str], int]:
    """Start `docs-builder serve ARGS`; its stderr lines up to the `Serving ...` line, and the port."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(REPO), "--port", "0", *args],
                            cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    for line in proc.stderr:
        lines.append(line.rstrip("\n"))
        if line.startswith("Serving "):
            break
    import re

    found = re.search(r" at http://\S+:(\d+)/", lines[-1]) if lines else None
    port = int(found.group(1)) if found else 0
    return proc, lines, port


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serving_beyond_this_machine_warns_and_still_checks_host_names(tmp_path):
    proc, lines, port = _serve_until_listening(["--host", "0.0.0.0", "--allow-host", "docs.test"], tmp_path)
    try:
        assert port, "\n".join(lines)
        warnings = [line for line in lines if "warning" in line]
        assert len(warnings) == 1, lines
        assert warnings[0].startswith("docs-builder: warning: --host 0.0.0.0 makes the preview reachable from "
                                      "other machines")
        assert "docs.test" in warnings[0] and "--allow-host" in warnings[0]
        base = f"http://127.0.0.1:{port}"
        assert request_with_host(base, "docs.test")[0] == 200
        assert request_with_host(base, f"docs.test:{port}")[0] == 200
        assert request_with_host(base, "evil.example")[0] == 421
    finally:
        _stop(proc)


def test_serving_on_loopback_says_nothing_more(tmp_path):
    proc, lines, port = _serve_until_listening(["--host", "localhost"], tmp_path)
    try:
        assert port and len(lines) == 1, lines  # just `Serving ...`
    finally:
        _stop(proc)


# --- Search under serve -------------------------------------------------------------------------

def test_search_index_is_prepared_in_the_background_then_served(served_with_search):
    import json

    _root, base, dev, search, _stop = served_with_search
    # nothing indexed yet: the box is told to wait (503 + Retry-After), never "no results"
    request = urllib.request.Request(base + "/_pagefind/en/shards.json")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=20)
    assert err.value.code == 503 and err.value.headers["Retry-After"] == "1"
    assert json.loads(err.value.read()) == {"format": 1, "preparing": True}
    stop = threading.Event()
    threading.Thread(target=dev.fill, args=(stop,), daemon=True).start()
    threading.Thread(target=search.run, args=(stop,), daemon=True).start()
    try:
        assert search.wait_ready(120), search.problems
        status, body = get(base + "/_pagefind/en/shards.json")
        assert status == 200, body
        shards = json.loads(body)["shards"]
        generation = search.current
        assert shards and all(s.startswith(f"/_pagefind/~{generation}/en/") for s in shards), shards
        assert get(base + shards[0] + "pagefind.js")[0] == 200
        assert get(base + "/_pagefind/fr/enterprise-server@3.15/shards.json")[0] == 404
        # the French pages (of every version) are in their own index
        status, body = get(base + "/_pagefind/fr/shards.json")
        assert status == 200 and f"~{generation}/fr/" in body
        # nothing outside the index folder, whatever the path
        for path in (f"/_pagefind/~{generation}/../../../../etc/passwd", f"/_pagefind/~{generation}/%2e%2e/%2e%2e/x",
                     "/_pagefind/~999/en/shards.json", "/_pagefind/../../etc/passwd"):
            assert raw_get(base, path) in (403, 404), path
        assert request_with_host(base, "evil.example", "/_pagefind/en/shards.json")[0] == 421

        # an edit of an English page: the other languages' folders are kept as they were
        folder = search.folder / str(generation) / "_pagefind"
        kept = sorted(p for p in (folder / "fr").rglob("*") if p.is_file())
        groups = len(list(folder.glob("*/shards.json")))
        page = _root / "content" / "admin" / "configuring-package-storage.md"
        page.write_text(page.read_text("utf-8") + "\nA new paragraph about storage.\n", "utf-8")
        assert wait_for(lambda: search.current != generation, 120), search.problems
        after = search.folder / str(search.current) / "_pagefind"
        assert kept and 0 < search.reindexed < groups
        assert [p.stat().st_ino for p in kept] == [(after / p.relative_to(folder)).stat().st_ino for p in kept]
        assert get(base + "/_pagefind/en/shards.json")[1].count(f"~{search.current}/") >= 1
    finally:
        stop.set()


def test_search_records_leave_the_site_chrome_out(dev_site):
    from builder.serve.search import record_fields

    _root, dev_site = dev_site
    page = dev_site.site.tree.pages["packages/quickstart.md"]
    record = dev_site.render(page)
    out = next(o for o in record.outputs if o.path == "en/packages/quickstart/index.html")
    html = (dev_site.scratch / out.path).read_text("utf-8")
    title, product, body = record_fields(html)
    assert (title, product) == ("Quickstart for Nimbus Packages", "Nimbus Packages")
    assert 'id="creating-an-access-token"' in body and "whoami" in body
    for chrome in ("EventSource", 'class="sidebar"', "mini-toc", "site-footer", "breadcrumbs"):
        assert chrome not in body, chrome


def test_a_search_index_that_cannot_be_written_is_a_warning_and_pages_are_served(served_with_search, monkeypatch,
                                                                                 capsys):
    from builder.search import shards

    def broken(records, dest, jobs=0):
        raise RuntimeError("pagefind is not installed")

    monkeypatch.setattr(shards, "write_index", broken)
    _root, base, dev, search, _stop = served_with_search
    stop = threading.Event()
    threading.Thread(target=dev.fill, args=(stop,), daemon=True).start()
    threading.Thread(target=search.run, args=(stop,), daemon=True).start()
    try:
        assert wait_for(lambda: search.failed, 120)
    finally:
        stop.set()
    err = capsys.readouterr().err
    assert "warning[DB640]: the preview's search index was not updated: RuntimeError: pagefind is not installed" in err
    assert get(base + "/_pagefind/en/shards.json")[0] == 404  # the box says search is not available
    assert get(base + "/en/packages/quickstart")[0] == 200


def test_the_error_page_shows_every_problem_of_the_page_and_what_it_includes(tmp_path):
    from tests.conftest import page, site_files, write_tree

    files = site_files({"a.md": page("A", "Text {% bogus %}\n{% data reusables.steps %}\n{% if true %}\n"
                                          "{% data reusables.more %}\n", versions="{fpt: '*'}")})
    files["data/reusables/steps.md"] = "Steps {% ifversion nope %}x{% endif %}\n"
    files["data/reusables/more.md"] = "More {% data variables.nope.x %}\n"
    root = write_tree(tmp_path / "src", files)
    dev = DevSite(root, None, None)
    try:
        response = dev.page_response("/en/a")
        shown = body_of(response)
    finally:
        dev.close()
    assert response.status == 500
    heads = re.findall(r'<section class="db-error"><pre>([^\n]*)', shown)
    assert [h.split(": error")[0] for h in heads] == [  # in the order a build prints them
        "content/a.md:5:6", "content/a.md:7:1", "data/reusables/more.md:1:14", "data/reusables/steps.md:1:20"]
    assert "included from content/a.md:8:1" in shown


# Every problem a build reports, while writing ------------------------------------------------

def _problem_site(tmp_path):
    """A page with a problem of each kind a build reports about a page that still renders:
    unknown plan, unknown frontmatter key, broken link, missing anchor, skipped heading level,
    broken table."""
    from tests.conftest import page, site_files, write_tree

    body = ("Intro.\n\n## Steps\n\nSee [B](/b), [nothing](/no/such/page) and [a part](/b#nowhere).\n\n"
            "#### Skipped level\n\n| a | b |\n|---|\n| 1 |\n")
    return write_tree(tmp_path / "src", site_files({
        "a.md": page("A", body, versions="{fpt: '*', nope: '*'}", bogus="1"),
        "b.md": page("B", "## Real heading\n"),
    }))


def test_serve_shows_and_prints_what_a_build_reports_for_the_open_page(tmp_path, capsys):
    from builder.pipeline.build import BuildOptions, run_build

    root = _problem_site(tmp_path)
    report = run_build(BuildOptions(root=root, write=False))
    expected = [d for d in report.problems if d.location and d.location.path == "content/a.md"]
    assert {d.code.code for d in expected} == {"DB111", "DB106", "DB401", "DB402", "DB724", "DB723"}
    dev = DevSite(root, None, None)
    try:
        capsys.readouterr()
        response = dev.page_response("/en/a")
        shown = body_of(response)
        for _ in range(3):  # more requests, no change: printed once
            dev.page_response("/en/a")
        err = capsys.readouterr().err
    finally:
        dev.close()
    # the page is served, with a panel over it listing every problem, located, with its source line
    assert response.status == 200 and "<h1" in shown and 'id="db-problems"' in shown
    heads = re.findall(r'<section class="db-problem"><pre>([^\n]*)', shown)
    assert heads == [html_escape(d.header()) for d in expected]
    assert "4 errors, 2 warnings in this page" in shown
    # the terminal has the same text as `build` prints, once
    assert err == "docs-builder serve: /en/a: 4 errors, 2 warnings\n\n" + "\n\n".join(
        d.format_text() for d in expected) + "\n\n"


def test_problems_are_printed_again_only_when_an_edit_changes_them(tmp_path, capsys):
    root = _problem_site(tmp_path)
    src = root / "content/a.md"
    dev = DevSite(root, None, None)
    try:
        dev.page_response("/en/a")
        capsys.readouterr()
        dev.reload({"content/b.md"})  # an edit elsewhere: same problems, nothing printed
        dev.page_response("/en/a")
        assert capsys.readouterr().err == ""
        src.write_text(src.read_text("utf-8").replace("bogus: 1\n", ""), "utf-8")
        assert "/en/a" in dev.reload({"content/a.md"})  # the open page reloads
        dev.page_response("/en/a")
        err = capsys.readouterr().err
        assert err.startswith("docs-builder serve: /en/a: 3 errors, 2 warnings\n") and "DB106" not in err
        src.write_text("---\ntitle: A\nversions: {fpt: '*'}\n---\nAll good now.\n", "utf-8")
        dev.reload({"content/a.md"})
        response = dev.page_response("/en/a")
        assert capsys.readouterr().err == "docs-builder serve: /en/a: no problems now\n"
        assert response.status == 200 and "db-problems" not in body_of(response)
    finally:
        dev.close()


def test_a_page_whose_frontmatter_does_not_load_shows_its_error_and_recovers(served):
    root, base, dev = served
    page = root / "content/packages/quickstart.md"
    good = page.read_text("utf-8")
    assert get(base + "/en/packages/quickstart")[0] == 200
    events = listen_for_reloads(base, "/en/packages/quickstart")
    assert wait_for(lambda: len(events) >= 1)
    page.write_text(good.replace("title:", "title: [", 1), "utf-8")
    assert wait_for(lambda: len(events) >= 2), "no reload event after the broken edit"
    status, html = get(base + "/en/packages/quickstart")
    assert status == 500 and "Not found" not in html and "This page could not be built" in html
    assert "content/packages/quickstart.md:2:8: error[DB104]: frontmatter is not valid YAML" in html
    events = listen_for_reloads(base, "/en/packages/quickstart")  # the error page's own stream
    assert wait_for(lambda: len(events) >= 1)
    page.write_text(good, "utf-8")
    assert wait_for(lambda: len(events) >= 2), "the error page was not told to reload after the fix"
    assert get(base + "/en/packages/quickstart")[0] == 200


def test_a_page_fixed_after_a_liquid_error_is_told_to_reload(served):
    root, base, _dev = served
    page = root / "content/packages/quickstart.md"
    good = page.read_text("utf-8")
    page.write_text(good + "\n{% ifversion ghes %}never closed\n", "utf-8")
    assert wait_for(lambda: get(base + "/en/packages/quickstart")[0] == 500)
    events = listen_for_reloads(base, "/en/packages/quickstart")  # the overlay's stream
    assert wait_for(lambda: len(events) >= 1)
    page.write_text(good, "utf-8")
    assert wait_for(lambda: len(events) >= 2), "the overlay was not told to reload after the fix"
    assert get(base + "/en/packages/quickstart")[0] == 200


def test_the_translation_status_page_is_served_where_a_build_writes_it(served):
    _root, base, _dev = served
    status, html = get(base + "/fr/translation-status/")
    assert status == 200 and 'lang="fr"' in html and "EventSource" in html
    assert re.search(r"<h1[^>]*>[^<]*\S", html)
    assert get(base + "/en/translation-status")[0] == 200


def test_serve_with_a_language_prints_a_url_in_that_language(tmp_path):
    # the README's example: French, Enterprise Server only
    proc, lines, port = _serve_until_listening(["--language", "fr", "--version", "ghes"], tmp_path)
    try:
        url = re.search(r" at (http://\S+)", lines[-1]).group(1)
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/fr/enterprise-server@[0-9.]+", url), lines
        status, html = get(url)
        assert status == 200 and 'lang="fr"' in html
        for other in ("/", "/fr", "/fr/packages/quickstart"):  # lead to what is served
            status, html = get(f"http://127.0.0.1:{port}{other}")
            assert status == 200 and 'lang="fr"' in html, other
    finally:
        _stop(proc)
    dev = DevSite(REPO, None, ["fr"])
    try:
        assert dev.start_url() == "/fr"
    finally:
        dev.close()


def test_an_edit_saved_before_the_page_listens_still_reloads_it(served):
    """The page carries the state it was served in: a stream opened after an edit reports a
    different one, and the page reloads."""
    root, base, _dev = served
    path = "/en/packages/quickstart"
    html = get(base + path)[1]
    served_in = re.search(r'<script data-db-livereload data-state="([^"]+)">', html).group(1)
    page = root / "content/packages/quickstart.md"
    page.write_text(page.read_text("utf-8") + "\nSaved before the stream opened.\n", "utf-8")
    assert wait_for(lambda: "Saved before the stream opened." in get(base + path)[1])
    events = listen_for_reloads(base, path)
    assert wait_for(lambda: len(events) >= 1)
    assert events[0] != f"data: {served_in}"
    again = re.search(r'data-state="([^"]+)"', get(base + path)[1]).group(1)
    assert events[0] == f"data: {again}"  # the page served now is up to date: no reload loop


def test_a_page_that_fails_shows_its_title_and_intro_errors_too(tmp_path, capsys):
    from builder.pipeline.build import BuildOptions, run_build
    from tests.conftest import page, site_files, write_tree

    root = write_tree(tmp_path / "src", site_files({"a.md": page(
        "A {% bogus %}", "Body {{ nope }}.\n", versions="{fpt: '*'}", intro="'{% data variables.x.y %}'")}))
    expected = [d.header() for d in run_build(BuildOptions(root=root, write=False)).problems]
    assert [h.split(": error")[0] for h in expected] == ["content/a.md:2:10", "content/a.md:4:17", "content/a.md:6:9"]
    dev = DevSite(root, None, None)
    try:
        response = dev.page_response("/en/a")
    finally:
        dev.close()
    assert response.status == 500
    assert re.findall(r'<section class="db-error"><pre>([^\n]*)', body_of(response)) == [
        html_escape(h) for h in expected]
    assert [line for line in capsys.readouterr().err.splitlines() if ": error[" in line] == expected
