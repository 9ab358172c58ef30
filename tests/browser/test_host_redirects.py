"""`--host cloudflare`: old URLs beyond the host's rules reach their page through 404.html's
script and redirect-map.json, in a real browser (tests/test_hosts.py follows the same
semantics in Python for every old URL; this checks that the script does what it says)."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.browser.conftest import build_site, skip_without_browser
from tests.test_hosts import _site

skip_without_browser()


class _StaticHost(http.server.SimpleHTTPRequestHandler):
    """A static host without rules: a missing file is answered by /404.html, status 404."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (self.directory and open(f"{self.directory}/404.html", "rb").read()) or b""
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    base = tmp_path_factory.mktemp("cloudflare")
    root = _site(base / "src")
    status, log = build_site(root, base / "site", "--host", "cloudflare", "--no-search")
    assert status == 0, log
    handler = functools.partial(_StaticHost, directory=str(base / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("old, page", [
    ("/en/enterprise-server@3.9/old-quickstart", "/en/enterprise-server@3.9/get-started/quickstart"),
    ("/fr/setup-old/", "/fr/enterprise-server@3.10/get-started/setup"),
    ("/fr/enterprise-server@latest/ent", "/fr/enterprise-server@3.10/admin/enterprise"),
    ("/get-started/old-start", "/en/get-started/quickstart"),
])
def test_old_url_reaches_its_page_through_the_404_page(browser, host, old, page):
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(host + old)
        tab.wait_for_url(lambda url: url.rstrip("/") == host + page, timeout=10_000)
        assert tab.locator("h1").first.inner_text() != "This page does not exist."
    finally:
        context.close()


def test_unknown_url_stays_on_the_404_page(browser, host):
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(host + "/en/enterprise-server@3.8/get-started/setup")  # not built in 3.8: no redirect
        tab.wait_for_timeout(500)
        assert tab.url == host + "/en/enterprise-server@3.8/get-started/setup"
        tab.goto(host + "/en/constructor")
        tab.wait_for_timeout(300)
        assert tab.url == host + "/en/constructor"
    finally:
        context.close()
