"""`check --external`: every http(s) URL linked from the rendered pages, fetched once.

HEAD first, GET (at most a few KB read) when HEAD fails; a limit on requests overall and per
host; retries with exponential backoff on 429, 5xx and connection errors, waiting as long as
`Retry-After` asks (capped); redirects followed (to http and https only), the final status
decides. Results that were fine are kept in a JSON cache and not fetched again until they are
older than `max_age`; broken ones are fetched again on every run.
"""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..output.atomic import write_atomically

CACHE_FORMAT = 1
USER_AGENT = "docs-builder-linkcheck/1 (+https://github.com/)"
MAX_BODY = 4096
"""Bytes read of a GET's body at most: a URL is only checked, never used."""
_HREF = re.compile(r"""\bhref\s*=\s*(["'])(https?://[^"'\s<>]+)\1""", re.I)


@dataclass
class Settings:
    timeout: float = 10.0
    max_age: float = 7 * 86400.0
    """Seconds a fine result stays valid in the cache."""
    workers: int = 8
    per_host: int = 2
    retries: int = 2
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each next one."""
    max_wait: float = 30.0
    """The longest `Retry-After` that is waited for (longer ones are waited for this long)."""
    allow_private: bool = False
    """Fetch hosts whose addresses are loopback, private, link-local or otherwise not global. Off:
    pages come from pull requests, and a link must not turn the checker into a probe of the CI
    machine's own network (its answers, broken or not, would tell what is there)."""


@dataclass
class Result:
    url: str
    ok: bool
    status: int = 0
    """The final HTTP status, 0 when there was no answer."""
    error: str = ""
    checked: float = 0.0
    cached: bool = False
    skipped: bool = False
    """Not fetched: its host is not a public address (see `Settings.allow_private`)."""

    @property
    def broken(self) -> bool:
        """An answer that says the page is not there (as opposed to no answer or a server error)."""
        return not self.ok and 400 <= self.status < 500 and self.status != 429

    def describe(self) -> str:
        if self.status:
            return f"HTTP {self.status}" + (f" ({self.error})" if self.error else "")
        return self.error or "no answer"


def external_hrefs(html: str) -> list[str]:
    """The http(s) hrefs of `html` (entities decoded), in order, repeats removed."""
    from html import unescape

    seen: dict[str, None] = {}
    for m in _HREF.finditer(html):
        seen.setdefault(unescape(m.group(2)), None)
    return list(seen)


def _split(url: str) -> urllib.parse.SplitResult | None:
    try:
        return urllib.parse.urlsplit(url)
    except ValueError:  # such as an unclosed [IPv6 address
        return None


def redact(url: str) -> str:
    """`url` without a user name or password, for messages and the cache."""
    parts = _split(url)
    if parts is None or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))


def parse_age(text: str) -> float:
    """`7d`, `12h`, `30m`, `90s` or a number of seconds -> seconds; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhms]?)\s*", text or "")
    if not m:
        raise ValueError(f"{text!r} is not a duration such as 7d, 12h, 30m or 90s")
    return float(m.group(1)) * {"d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}[m.group(2)]


def retry_after(value: str | None, now: float, cap: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (seconds or an HTTP date), capped; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, min(when.timestamp() - now, cap))


# The cache -------------------------------------------------------------------------------


@dataclass
class Cache:
    path: Path
    entries: dict[str, dict] = field(default_factory=dict)
    warning: str = ""
    """Why the cache file was not used (damaged), or ''."""

    @classmethod
    def read(cls, path: Path) -> "Cache":
        cache = cls(path)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return cache
        except (OSError, UnicodeDecodeError) as err:
            cache.warning = f"cannot read it ({getattr(err, 'strerror', None) or err})"
            return cache
        try:
            doc = json.loads(text)
        except ValueError as err:
            cache.warning = f"it is not JSON ({err})"
            return cache
        if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT or not isinstance(doc.get("urls"), dict):
            cache.warning = f"it is not a format {CACHE_FORMAT} cache"
            return cache
        for url, entry in doc["urls"].items():
            if (isinstance(entry, dict) and isinstance(entry.get("checked"), (int, float))
                    and isinstance(entry.get("status"), int) and isinstance(entry.get("ok"), bool)):
                cache.entries[url] = entry
        return cache

    def fresh(self, url: str, now: float, max_age: float) -> Result | None:
        entry = self.entries.get(url)
        if entry is None or not entry["ok"] or not (0 <= now - entry["checked"] < max_age):
            return None
        return Result(url, True, entry["status"], "", entry["checked"], cached=True)

    def store(self, result: Result) -> None:
        self.entries[result.url] = {"ok": result.ok, "status": result.status, "checked": round(result.checked, 3),
                                    **({"error": result.error} if result.error else {})}

    def write(self) -> None:
        """Replace the file at once (a temporary file renamed over it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"format": CACHE_FORMAT, "urls": dict(sorted(self.entries.items()))}
        write_atomically(self.path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), 0o644)


# Fetching --------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed to http(s) URLs only, and (unless allowed) to public hosts only."""

    def __init__(self, allow_private: bool):
        super().__init__()
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        parts = urllib.parse.urlsplit(newurl)
        if parts.scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(req.full_url, code, f"redirect to a non-http URL {redact(newurl)!r}",
                                         headers, fp)
        why = None if self.allow_private or not parts.hostname else not_public(parts.hostname, None)
        if why is not None:
            raise urllib.error.HTTPError(req.full_url, code, f"redirect not followed: {why}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENERS = {allow: urllib.request.build_opener(_HttpOnlyRedirects(allow)) for allow in (False, True)}


class _Hosts:
    """A semaphore per host: at most `limit` requests to one host at a time."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.lock = threading.Lock()
        self.sems: dict[str, threading.Semaphore] = {}

    def __call__(self, host: str) -> threading.Semaphore:
        with self.lock:
            sem = self.sems.get(host)
            if sem is None:
                sem = self.sems[host] = threading.BoundedSemaphore(self.limit)
            return sem


def _strip_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def _request(url: str, method: str, settings: Settings) -> tuple[int, str, str | None]:
    """(status, error, Retry-After) of one request; status 0 when there was no answer."""
    req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with _OPENERS[settings.allow_private].open(req, timeout=settings.timeout) as resp:
            if method == "GET":
                resp.read(MAX_BODY)
            return resp.status, "", None
    except urllib.error.HTTPError as err:
        with err:
            after = err.headers.get("Retry-After") if err.headers else None
            return err.code, str(err.msg or ""), after
    except (socket.timeout, TimeoutError):
        return 0, f"no answer within {settings.timeout:g}s", "timeout"
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return 0, f"no answer within {settings.timeout:g}s", "timeout"
        return 0, f"cannot connect: {getattr(reason, 'strerror', None) or reason}", None
    except (OSError, ValueError, http.client.HTTPException) as err:
        return 0, f"cannot connect: {err}", None


def _attempts(url: str, method: str, settings: Settings, sleep) -> tuple[int, str]:
    """One method with its retries: 429, 5xx and connection errors are tried again (not timeouts)."""
    attempt = 0
    while True:
        status, error, after = _request(url, method, settings)
        transient = status == 429 or status >= 500 or (status == 0 and after != "timeout")
        if not transient or attempt >= settings.retries:
            return status, error
        wait = retry_after(after, time.time(), settings.max_wait) if status else None
        sleep(settings.backoff * 2 ** attempt if wait is None else wait)
        attempt += 1


def not_public(host: str, port: int | None) -> str | None:
    """Why `host` must not be fetched (one of its addresses is not a global one), or None."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # it does not resolve: the request fails and says so
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return f"{host} is a {'loopback' if address.is_loopback else 'private or reserved'} address ({address})"
    return None


def check_url(url: str, settings: Settings, hosts: _Hosts, sleep=time.sleep) -> Result:
    parts = _split(url)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return Result(url, False, 0, "not a valid http(s) URL", time.time())
    if not settings.allow_private:
        try:
            port = parts.port
        except ValueError:
            port = None
        why = not_public(parts.hostname, port)
        if why is not None:
            return Result(url, True, 0, f"not fetched: {why}", time.time(), skipped=True)
    target = _strip_credentials(url)
    with hosts(parts.hostname.lower()):
        status, error = _attempts(target, "HEAD", settings, sleep)
        if not _fine(status, error):  # some servers refuse HEAD (405) or answer it wrongly: ask with GET
            status, error = _attempts(target, "GET", settings, sleep)
    return Result(url, _fine(status, error), status, error, time.time())


def _guarded(url: str, settings: Settings, hosts: _Hosts, sleep) -> Result:
    """`check_url`, never raising: one odd URL is one failed result, not a stopped check."""
    try:
        return check_url(url, settings, hosts, sleep)
    except Exception as err:  # noqa: BLE001 - whatever a URL or a server does to the HTTP client
        return Result(url, False, 0, f"cannot check it: {type(err).__name__}: {err}", time.time())


def _fine(status: int, error: str) -> bool:
    """2xx, or a final 3xx (one that urllib followed has become the status of its target; one it
    refused to follow, to another scheme or round a loop, comes with an error)."""
    return 200 <= status < 300 or (300 <= status < 400 and not error)


def _interleaved(urls: list[str]) -> list[str]:
    """`urls` taken one host at a time in turn, so that the workers are not all waiting on one host."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        parts = _split(url)
        by_host.setdefault((parts.hostname or "").lower() if parts else "", []).append(url)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def check_urls(urls: list[str], cache: Cache, settings: Settings, *, now: float | None = None,
               sleep=time.sleep) -> dict[str, Result]:
    """The result of every URL of `urls` (each fetched at most once), the cache updated."""
    now = time.time() if now is None else now
    results: dict[str, Result] = {}
    todo = []
    for url in dict.fromkeys(urls):
        key = redact(url)
        hit = cache.fresh(key, now, settings.max_age)
        if hit is not None:
            results[url] = hit
        else:
            todo.append(url)
    hosts = _Hosts(settings.per_host)
    todo = _interleaved(todo)
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
            for url, result in zip(todo, pool.map(lambda u: _guarded(u, settings, hosts, sleep), todo)):
                results[url] = result
                if not result.skipped:
                    cache.store(Result(redact(url), result.ok, result.status, result.error, result.checked))
    return results
