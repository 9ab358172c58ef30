"""`check --external` against a local HTTP server only (127.0.0.1, a thread of this process)."""

from __future__ import annotations

import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from builder.checks.external_links import Cache, Settings, check_urls, external_hrefs, parse_age, redact, retry_after
from tests.conftest import page


class Server:
    """Answers by path; records every request and the most requests it saw at once."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.counts: dict[str, int] = {}
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_HEAD(self):
                server.handle(self, "HEAD")

            def do_GET(self):
                server.handle(self, "GET")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def hits(self, path: str) -> list[str]:
        return [m for m, p in self.requests if p == path]

    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        path = h.path
        with self.lock:
            self.requests.append((method, path))
            n = self.counts[path] = self.counts.get(path, 0) + 1
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            status, headers, body = self.answer(path, method, n)
        finally:  # before the answer goes out: the client's next request cannot overlap this one
            with self.lock:
                self.active -= 1
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if method == "GET":
            h.wfile.write(body)

    def answer(self, path: str, method: str, n: int):
        if path.startswith("/ok"):
            if path.startswith("/ok-slowish"):
                time.sleep(0.2)
            return 200, {}, b"fine"
        if path == "/gone":
            return 410, {}, b""
        if path == "/no-head":
            return (405, {}, b"") if method == "HEAD" else (200, {}, b"x" * 100_000)
        if path == "/busy":  # 429 with Retry-After the first time, then fine
            return (429, {"Retry-After": "1"}, b"") if n == 1 else (200, {}, b"")
        if path == "/flaky":  # 500 once, then fine
            return (500, {}, b"") if n == 1 else (200, {}, b"")
        if path == "/always-500":
            return 500, {}, b""
        if path == "/r1":
            return 301, {"Location": "/r2"}, b""
        if path == "/r2":
            return 302, {"Location": "/ok-final"}, b""
        if path == "/r-missing":
            return 301, {"Location": "/missing"}, b""
        if path == "/to-file":
            return 302, {"Location": "file:///etc/passwd"}, b""
        if path == "/to-ftp":
            return 302, {"Location": "ftp://127.0.0.1/x"}, b""
        if path == "/slow":
            time.sleep(1.5)
            return 200, {}, b""
        return 404, {}, b""


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


FAST = dict(timeout=0.5, backoff=0.05, max_wait=2.0, allow_private=True)  # the server is on 127.0.0.1


def run(server, paths, tmp_path, **kw):
    cache = Cache.read(tmp_path / "cache.json")
    urls = [server.url + p for p in paths]
    results = check_urls(urls, cache, Settings(**{**FAST, **kw}))
    cache.write()
    return {u.removeprefix(server.url): r for u, r in results.items()}


def test_statuses_methods_and_redirects(server, tmp_path):
    r = run(server, ["/ok", "/missing", "/gone", "/no-head", "/r1", "/r-missing", "/to-file", "/to-ftp"],
            tmp_path)
    assert (r["/ok"].ok, r["/ok"].status) == (True, 200)
    assert server.hits("/ok") == ["HEAD"]  # HEAD was enough
    assert r["/missing"].broken and r["/missing"].status == 404
    assert r["/gone"].broken and r["/gone"].status == 410
    assert r["/no-head"].ok and server.hits("/no-head") == ["HEAD", "GET"]
    assert r["/r1"].ok and r["/r1"].status == 200 and server.hits("/ok-final")  # followed to the end
    assert r["/r-missing"].broken and r["/r-missing"].status == 404
    assert not r["/to-file"].ok and "not allowed" in r["/to-file"].error  # never followed to another scheme
    assert not r["/to-ftp"].ok and "redirect to a non-http URL" in r["/to-ftp"].error
    bad = check_urls(["http://[::1/x", "http://127.0.0.1:x/"], Cache(tmp_path / "c.json"), Settings(**FAST))
    assert [r.ok or r.broken for r in bad.values()] == [False, False]  # reported, never a crash


def test_retries_backoff_and_retry_after(server, tmp_path):
    start = time.monotonic()
    r = run(server, ["/busy", "/flaky", "/always-500"], tmp_path)
    assert r["/busy"].ok and server.hits("/busy") == ["HEAD", "HEAD"]
    assert time.monotonic() - start >= 1.0  # waited as Retry-After asked
    assert r["/flaky"].ok and server.hits("/flaky") == ["HEAD", "HEAD"]
    assert not r["/always-500"].ok and not r["/always-500"].broken and r["/always-500"].status == 500
    assert server.hits("/always-500") == ["HEAD"] * 3 + ["GET"] * 3  # two retries of each method


def test_timeout(server, tmp_path):
    r = run(server, ["/slow"], tmp_path, timeout=0.3)
    assert not r["/slow"].ok and r["/slow"].status == 0 and "no answer within 0.3s" in r["/slow"].error
    assert not r["/slow"].broken


def test_per_host_limit(server, tmp_path):
    run(server, [f"/ok-slowish/{i}" for i in range(8)], tmp_path, workers=8, per_host=2, timeout=10)
    assert server.peak == 2


def test_overall_limit(server, tmp_path):
    """Two host names of one server: 2 at a time each would make 4; the overall limit says 3."""
    other = server.url.replace("127.0.0.1", "localhost")
    urls = [f"{base}/ok-slowish/{i}" for base in (server.url, other) for i in range(4)]
    results = check_urls(urls, Cache(tmp_path / "c.json"), Settings(**{**FAST, "timeout": 10}, workers=3, per_host=2))
    assert all(r.ok for r in results.values()) and server.peak == 3


def test_cache_reuse_expiry_and_broken_rechecked(server, tmp_path):
    run(server, ["/ok", "/missing"], tmp_path)
    assert len(server.requests) == 3  # HEAD /ok, HEAD + GET /missing
    r = run(server, ["/ok", "/missing"], tmp_path)
    assert r["/ok"].cached and server.hits("/ok") == ["HEAD"]  # not fetched again
    assert server.hits("/missing") == ["HEAD", "GET"] * 2  # broken ones are fetched every run
    doc = json.loads((tmp_path / "cache.json").read_text())
    assert doc["format"] == 1 and doc["urls"][server.url + "/ok"]["status"] == 200
    r = run(server, ["/ok"], tmp_path, max_age=0)
    assert not r["/ok"].cached and server.hits("/ok") == ["HEAD", "HEAD"]


def test_cache_expires_after_max_age(server, tmp_path):
    cache = Cache.read(tmp_path / "c.json")
    url = server.url + "/ok"
    check_urls([url], cache, Settings(**FAST))
    later = time.time() + 3600
    assert check_urls([url], cache, Settings(**FAST, max_age=7200), now=later)[url].cached
    assert not check_urls([url], cache, Settings(**FAST, max_age=1800), now=later)[url].cached


def test_pure_helpers():
    assert parse_age("7d") == 7 * 86400 and parse_age("12h") == 43200 and parse_age("90") == 90
    with pytest.raises(ValueError):
        parse_age("soon")
    now = time.time()
    assert retry_after("5", now, 30) == 5 and retry_after("999", now, 30) == 30
    assert 8 <= retry_after(formatdate(now + 10, usegmt=True), now, 30) <= 10
    assert retry_after("garbage", now, 30) is None
    assert redact("https://u:secret@example.com/a") == "https://***@example.com/a"
    html = '<a href="https://a.example/x?a=1&amp;b=2">x</a><a href="/local">l</a><a href="mailto:x@y">m</a>' \
           '<a href="https://a.example/x?a=1&amp;b=2">again</a>'
    assert external_hrefs(html) == ["https://a.example/x?a=1&b=2"]


# The command ------------------------------------------------------------------------------


def _site(make_site, base: str):
    return make_site({
        "a.md": page("A", f"Intro.\n\nSee [good]({base}/ok) and [bad]({base}/missing).\n\n{{% data reusables.more %}}\n"),
    }, {"data/reusables/more.md": f"Also <a href=\"{base}/gone\">gone</a>.\n"})


def test_cli_reports_at_source_lines_and_caches(server, make_site, cli, tmp_path):
    root = _site(make_site, server.url)
    res = cli("check", "--root", str(root), "--external", "--external-allow-private")
    assert res.status == 0, res.stderr  # warnings by default
    col = len(f"See [good]({server.url}/ok) and [bad](") + 1
    assert f"content/a.md:7:{col}: warning[DB770]: external link '{server.url}/missing' is broken: HTTP 404" in res.stderr
    assert f"data/reusables/more.md:1:15: warning[DB770]: external link '{server.url}/gone' is broken: HTTP 410" in res.stderr
    assert "/ok'" not in res.stderr
    assert "external links: 3 URLs, 3 fetched, 0 from the cache, 2 not working" in res.stderr
    assert (root / ".build" / "external-links.json").is_file()
    before = len(server.requests)
    res = cli("check", "--root", str(root), "--external", "--external-allow-private", "--external-errors", "--format", "json")
    assert res.status == 1
    doc = json.loads(res.stdout)
    assert sorted(d["code"] for d in doc["diagnostics"] if d["severity"] == "error") == ["DB770", "DB770"]
    assert server.hits("/ok") == ["HEAD"] and len(server.requests) - before == 4  # /ok from the cache
    assert doc["external_links"] == {"urls": 3, "fetched": 2, "from_cache": 1, "not_working": 2}


def test_cli_damaged_cache_and_bad_options(server, make_site, cli):
    root = _site(make_site, server.url)
    (root / ".build").mkdir()
    (root / ".build" / "external-links.json").write_text("{not json")
    res = cli("check", "--root", str(root), "--external", "--external-allow-private")
    assert "warning[DB772]: the external link cache" in res.stderr and "is not JSON" in res.stderr
    assert json.loads((root / ".build" / "external-links.json").read_text())["format"] == 1
    assert cli("check", "--root", str(root), "--external", "--external-allow-private", "--external-max-age", "soon").status == 2
    res = cli("check", "--root", str(root))  # without --external nothing is fetched
    before = len(server.requests)
    assert "external links" not in res.stderr and len(server.requests) == before


def test_cli_one_fetch_for_every_version_and_language(server, make_site, cli):
    body = f"Intro.\n\nSee [bad]({server.url}/missing).\n"
    root = make_site({"a.md": page("A", body)}, {
        "data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr}\n",
        "translations/fr/content/a.md": page("A fr", f"Intro.\n\nVoir [cassé]({server.url}/missing).\n"),
    })
    res = cli("check", "--root", str(root), "--external", "--external-allow-private", "--version", "fpt", "--version", "ghes")
    assert server.hits("/missing") == ["HEAD", "GET"]  # once, for 2 languages and 4 versions
    assert "content/a.md:7:11: warning[DB770]" in res.stderr
    assert "translations/fr/content/a.md:7:14: warning[DB770]" in res.stderr
    assert "fr/enterprise-server@3.10" in res.stderr


def test_links_to_this_machine_or_a_private_network_are_not_fetched_by_default(server, make_site, cli):
    """A pull request's links must not probe the CI machine's network: loopback, private and
    link-local hosts are not fetched (nor cached) unless --external-allow-private says so."""
    root = _site(make_site, server.url)
    res = cli("check", "--root", str(root), "--external")
    assert res.status == 0, res.stderr
    assert server.requests == [] and "DB770" not in res.stderr and "DB771" not in res.stderr
    assert "3 URLs" in res.stderr
    cached = json.loads((root / ".build" / "external-links.json").read_text())["urls"]
    assert cached == {}
    for host in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "192.168.0.10"):
        assert "not fetched" in check_urls([f"http://{host}/x"], Cache(root / "c.json"), Settings())[f"http://{host}/x"].error
