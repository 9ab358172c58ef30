"""Redirect outputs (HTML stubs, `_redirects`, `redirects.json`, nginx map) and `sitemap.xml`."""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape

from ..core.paths import UnsafePath, describe_char, is_control, is_space, one_line, safe_output_path, suspect_at
from ..output.writer import OutputFailure
from .redirects import Redirect, compute_redirects

_SAFE = "/@-._~"
"""Characters a source in `_redirects` and `redirects.json` keeps as they are; anything else is
percent-encoded, as requests spell it (targets are page URLs, encoded already; nginx compares
keys with the decoded `$uri`)."""


_UNSAFE = re.compile(r"[^A-Za-z0-9/@\-._~]")
"""A character `quote(..., safe=_SAFE)` changes (none: the value is its own encoding)."""


def host_value(text: str, where: str, *, encode: bool = False, forbid: str = '"\\$') -> str:
    """A URL path for a rule of a host file, checked once more (a second wall behind the path
    policy that validated every value): never a line break or a space that would start a new
    line or field, nor one of `forbid` (`$` starts an nginx variable in a value). With `encode`,
    everything but `A-Za-z0-9/@-._~` is percent-encoded. Refused with `UnsafePath`, an internal
    error: a value that gets here unchecked is a bug of docs-builder, never written quietly."""
    first = suspect_at(text, forbid)  # clean values (all of them, normally) cost one regex search
    for ch in (text[first:] if first >= 0 else ""):
        if is_control(ch) or is_space(ch) or ch in forbid:
            raise UnsafePath(f"refusing to write {where}: {one_line(text)!r} contains {describe_char(ch)}")
    if not text.startswith("/"):
        raise UnsafePath(f"refusing to write {where}: {one_line(text)!r} is not a path from the site's root")
    return quote(text, safe=_SAFE) if encode and _UNSAFE.search(text) else text


def xml_escape(text: str) -> str:
    """Text for XML content or a double- or single-quoted attribute; control characters (which
    XML 1.0 cannot hold, or which no URL of the site has) are refused."""
    first = suspect_at(text, "\ufffe\uffff")
    for ch in (text[first:] if first >= 0 else ""):
        if is_control(ch) or ch in "\ufffe\uffff":
            raise UnsafePath(f"refusing to write sitemap.xml: {one_line(text)!r} contains {describe_char(ch)}")
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def _file_of(url_path: str) -> str:
    return url_path.strip("/") + "/index.html" if url_path.strip("/") else "index.html"


def _live_paths(outputs) -> set[str]:
    live = set()
    for path in outputs:
        live.add("/" + path[: -len("/index.html")] if path.endswith("/index.html") else "/" + path)
    return live


def lines_digest(lines: Iterable[str]) -> str:
    """The SHA-1 of the lines joined by newlines, hashed as they come (a big site's redirect map
    has 100,000s: never joined whole)."""
    h = hashlib.sha1()
    sep = b""
    for chunk in in_chunks(lines, joiner="\n"):
        h.update(sep + chunk)
        sep = b"\n"
    return h.hexdigest()


STUB_BATCH = 4096
"""Redirect stubs rendered, then written together (the file system calls in a few threads)."""
STUBS_KEPT = 16_384
"""Rendered stubs kept for the next redirect to the same page (a page has a stub for each old
URL of each version and language; sorted by old URL, two thirds of the bench site's 312,667
stubs repeat one of the last 16,384 rendered): at most about 10 MB, emptied when full."""


@dataclass(frozen=True)
class SiteRedirects:
    """What the build shard that writes the generic host's redirect files records of the whole
    site's redirect map (which every shard computes alike, from the whole site's pages)."""

    digest: str
    """`redirects_digest` of the map (the digest a single build gives its redirects)."""
    stubs: int
    """How many stubs a single build writes at most: every redirect but the root's."""


@dataclass
class RedirectFiles:
    """What writing the redirects gives back."""

    files: dict[str, tuple | list]
    """Each stub and redirect file written or kept -> the sources it read (none), for the manifest."""
    digest: str
    """What they are made from: equal digests, equal files (an incremental build keeps them)."""
    site: SiteRedirects | None = None
    """A build shard that writes the whole site's redirect files: what it records of the whole
    site's redirects (the digest they are made from, the stub count)."""


def write_redirects(site, writer, output_paths: set[str], keep_if: str | None = None,
                    only_live: bool = False, host=None, prebuilt: dict[str, Path | None] | None = None,
                    prebuilt_files: dict[str, tuple[Path | None, str]] | None = None,
                    whole: SiteRedirects | None = None) -> RedirectFiles:
    """Stubs plus host configuration files, and a digest of the redirects. When it equals
    `keep_if`, the stubs already in the site are kept instead of being written again.
    `only_live` (a partial site: `--changed-since` without a base site): only the stubs that
    lead to a page of `output_paths`. `prebuilt`
    (assemble): stub -> the shard folder that wrote it already (see `write_shard_stubs`);
    `prebuilt_files` (assemble): host file -> (the shard folder that wrote it, the digest of the
    redirects it was made from), used when that digest is this one; `whole` (assemble, the
    generic host): what the shard that wrote those files says of the whole site's redirects,
    used when the shards' stubs are all of them (see `_stubs_of_shards`)."""
    if whole is not None and prebuilt is not None and (host is None or host.name == "generic") and not only_live:
        files = {name: folder for name, (folder, made) in (prebuilt_files or {}).items() if made == whole.digest}
        stubs = _stubs_of_shards(writer, output_paths, prebuilt, whole.stubs)
        if stubs is not None and len(files) == len(HOST_FILES):  # all made by the shards: placed as they are
            for rel, folder in itertools.chain(((rel, prebuilt[rel]) for rel in stubs), files.items()):
                if folder is not None and not writer.link_from(folder, rel):
                    raise OutputFailure(f"cannot assemble: {folder}/{rel} is missing from its shard; build the "
                                        "shard again")
            stubs.update((name, []) for name in HOST_FILES)
            return RedirectFiles(stubs, whole.digest)
    live = _live_paths(output_paths)
    redirects = compute_redirects(
        site.tree, site.links.redirects, site.config.space, site.languages, site.versions,
        site.default_language, live,
    )
    digest = redirects_digest(site, redirects, only_live, host)
    if host is not None and host.name != "generic":
        from .host_files import write_for_host

        return write_for_host(site, writer, host, redirects, live, output_paths, keep_if, digest, only_live, prebuilt)
    written = write_stubs(site, writer, redirects, output_paths, live if only_live else None, keep_if == digest,
                          prebuilt)
    if keep_if != digest:  # the same redirects: the host files in the site stay as they are
        shards = {name: folder for name, (folder, made) in (prebuilt_files or {}).items() if made == digest}
        write_host_files(site, writer, redirects, HOST_FILES, shards)
    for name in HOST_FILES:
        written[name] = []
    return RedirectFiles(written, digest)


HOST_FILES = ("_redirects", "redirects.json", "nginx-redirects.conf")
"""The generic host's redirect files: every old URL as a rule, for Netlify and Cloudflare Pages,
for any server (JSON) and for nginx."""


def redirects_digest(site, redirects: list[Redirect], only_live: bool = False, host=None) -> str:
    """What the redirect files are made from: equal digests, equal files."""
    profile = [] if host is None or host.name == "generic" else [repr(host)]
    return lines_digest(itertools.chain((f"{r.source} {r.target}" for r in redirects),
                                        [repr(_generic_rules(site)), f"only_live={only_live}", *profile]))


def write_host_files(site, writer, redirects: list[Redirect], names: Iterable[str] = HOST_FILES,
                     made: dict[str, Path | None] | None = None) -> None:
    """The generic host's redirect files of `names`; one in `made` (assemble) was written by a build
    shard from the same redirects: linked from that shard's folder, or (None) in place already."""
    checked = None
    for name in names:
        if made and name in made:
            folder = made[name]
            if folder is None or writer.link_from(folder, name):
                continue
        if checked is None:  # each value checked and encoded once for the three
            checked = checked_rules(redirects, "_redirects")
        if name == "_redirects":
            writer.write(name, in_chunks(render_netlify(redirects, site, checked)))
        elif name == "redirects.json":
            writer.write(name, in_chunks(render_json(redirects, checked)))
        else:
            writer.write(name, in_chunks(render_nginx(redirects, site, checked)))


def write_stubs(site, writer, redirects: Iterable[Redirect], output_paths: set[str], only_to: set[str] | None = None,
                keep: bool = False, prebuilt: dict[str, Path | None] | None = None) -> dict[str, tuple]:
    """The HTML stub of each redirect (none where a page or another file is): rendered and written
    in batches, or, with `keep`, left as the site has them; `only_to`: only those leading to one of
    these URL paths; one in `prebuilt` is linked from the shard folder that wrote it (or is in
    place, `assemble --in-place`, when that is None). Returns the
    stubs for the manifest (stub -> the sources it read: none)."""
    written: dict[str, tuple] = {}
    batch: list[tuple[str, bytes]] = []
    rendered: dict[tuple[str, str], bytes] = {}
    for r in redirects:
        if r.source == "/":
            continue
        rel = safe_output_path(_file_of(r.source))
        if rel in output_paths or rel in writer.written or (only_to is not None and r.target not in only_to):
            continue
        written[rel] = ()  # a stub reads no source; one shared empty tuple (a big site has 100,000s)
        if keep:
            continue
        if prebuilt and rel in prebuilt:  # a shard wrote it: in place already (None), or linked from the shard
            folder = prebuilt[rel]
            if folder is None or writer.link_from(folder, rel):
                continue
        lang = r.source.strip("/").split("/", 1)[0]
        lang = lang if site.config.language(lang) else site.default_language.code
        html = rendered.get((r.target, lang))
        if html is None:
            if len(rendered) == STUBS_KEPT:
                rendered.clear()
            html = rendered[(r.target, lang)] = site.layout.render_redirect(
                r.target, lang, site.ui[lang]("redirect.moved")).encode("utf-8")
        batch.append((rel, html))
        if len(batch) == STUB_BATCH:  # written as they are made: a big site has 100,000s
            writer.write_many(batch)
            batch = []
    writer.write_many(batch)
    return written


def _stubs_of_shards(writer, output_paths: set[str], prebuilt: dict[str, Path | None],
                     count: int) -> dict[str, tuple] | None:
    """The site's stubs (stub -> the sources it read: none) when the shards wrote them all: as
    many as the whole site's map has, none where a page or another file is (so each is one a
    single build writes, and together they are all it writes); None otherwise. In the order of
    their old URLs, as `write_stubs` gives them."""
    if len(prebuilt) != count or any(rel in output_paths or rel in writer.written for rel in prebuilt):
        return None
    return dict.fromkeys(sorted(prebuilt, key=lambda rel: rel[: -len("/index.html")]), ())  # the old URL, no slash


def write_shard_stubs(site, writer, site_outputs: set[str], own_outputs: Iterable[str],
                      keep_if: str | None = None, host_files: Iterable[str] = (),
                      files_kept_if: str | None = None) -> RedirectFiles:
    """A build shard's part of the redirect stubs: those leading to its own pages. The redirect
    map is the whole site's (`site_outputs`: every page file a whole build writes), so each stub
    is the one a single build writes, and `assemble` links it instead of rendering it again.
    Returns the stubs and a digest of them (the same as `keep_if`: kept as they are).
    `host_files`: the whole site's redirect files this shard writes (see pipeline/shard.py
    `site_file_owners`), with what they are made from as `site` (its digest the same as
    `files_kept_if`: kept as they are)."""
    redirects = compute_redirects(site.tree, site.links.redirects, site.config.space, site.languages, site.versions,
                                  site.default_language, _live_paths(site_outputs))
    targets = _live_paths(own_outputs)
    mine = [r for r in redirects if r.target in targets]
    digest = lines_digest(itertools.chain(["shard"], (f"{r.source} {r.target}" for r in mine)))
    found = RedirectFiles(write_stubs(site, writer, mine, site_outputs, keep=keep_if == digest), digest)
    host_files = list(host_files)
    if host_files:
        found.site = SiteRedirects(redirects_digest(site, redirects), sum(1 for r in redirects if r.source != "/"))
        if files_kept_if != found.site.digest:
            write_host_files(site, writer, redirects, host_files)
        found.files.update((name, []) for name in host_files)
    return found


def _generic_rules(site) -> list[tuple[str, str, int]]:
    """Prefix rules a host can apply beyond the listed pages (`free-pro-team@latest`, `@latest`)."""
    rules = []
    space = site.config.space
    default_plan = space.default.plan
    for lang in site.languages:
        rules.append((f"/{lang.code}/{default_plan.name}@latest/*", f"/{lang.code}/:splat", 301))
        for plan in space.plans:
            if plan.numbered:
                latest = space.latest(plan)
                if latest in site.versions:
                    rules.append((f"/{lang.code}/{plan.name}@latest/*", f"/{lang.code}/{latest.id}/:splat", 302))
    return rules


def checked_rules(redirects: list[Redirect], where: str) -> list[tuple[str, str]]:
    """(encoded source, target) of each redirect, checked by `host_value` as `_redirects` and
    `redirects.json` check them (which also passes nginx's checks): what the three renderers
    share when they write the same redirects."""
    return [(host_value(r.source, where, encode=True), host_value(r.target, where)) for r in redirects]


def _json_string(text: str) -> str:
    """`json.dumps(text)` of a value `host_value` checked (no quote, backslash or control
    character): quoted as it is when ASCII."""
    return f'"{text}"' if text.isascii() else json.dumps(text)


def render_json(redirects: list[Redirect], checked: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """`redirects.json`, line by line: source -> target, ASCII only (`\\u` escapes), sorted; the
    text `json.dumps(..., indent=1, sort_keys=True)` makes, without holding it whole. `checked`:
    `checked_rules(redirects)`, when made already."""
    rules = sorted(checked if checked is not None else checked_rules(redirects, "redirects.json"))
    # an encoded source is never another's: each key once
    if not rules:
        yield "{}\n"
        return
    yield "{\n"
    last = len(rules) - 1
    for i, (source, target) in enumerate(rules):
        yield f" {_json_string(source)}: {_json_string(target)}" + ("\n" if i == last else ",\n")
    yield "}\n"


def render_netlify(redirects: list[Redirect], site, checked: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """`_redirects` for Netlify and Cloudflare Pages, line by line (`checked` as for `render_json`)."""
    yield "# Redirects for Netlify and Cloudflare Pages (written by docs-builder).\n"
    for r, (source, target) in zip(redirects, checked if checked is not None else checked_rules(redirects, "_redirects")):
        status = 302 if r.reason in ("latest", "no-language") else 301
        yield f"{source} {target} {status}\n"
    for source, target, status in _generic_rules(site):
        yield f"{host_value(source, '_redirects')} {host_value(target, '_redirects')} {status}\n"


def render_nginx(redirects: list[Redirect], site, checked: list | None = None) -> Iterator[str]:
    """`nginx-redirects.conf`, line by line (its map entries sorted: each old URL with and
    without a trailing slash). `checked` (see `checked_rules`): every value passed stricter
    checks already. The entries are made as they are written: a sorted merge of the sources
    (in the redirects' order already, unless a source has a character that sorts before the
    closing quote) and the sources with a slash (sorted here, as indexes)."""
    n = len(redirects)
    if checked is None:  # $uri is decoded: keys are too
        sources = [host_value(r.source, "nginx-redirects.conf", forbid='"\\') for r in redirects]
        targets = [host_value(r.target, "nginx-redirects.conf") for r in redirects]
    else:
        sources, targets = [r.source for r in redirects], [t for _, t in checked]
    # Quoted keys never hold a quote or a backslash (both refused above), so no key is the start of
    # another and the lines sort as their keys do.
    slashed = sorted((i for i in range(n) if sources[i] != "/"), key=lambda i: _nginx_quote(sources[i] + "/"))
    plain: Iterable[int] = range(n)
    if any(_nginx_quote(sources[i - 1]) >= _nginx_quote(sources[i]) for i in range(1, n)):
        plain = sorted(plain, key=lambda i: _nginx_quote(sources[i]))

    def entries(order: Iterable[int], suffix: str) -> Iterator[tuple[str, str]]:
        for i in order:
            key = _nginx_quote(sources[i] + suffix)
            yield key, f"    {key} {_nginx_quote(targets[i])};\n"

    yield ("# nginx: include this file in the http block, then in the server block add:\n"
           "#   if ($docs_redirect) { return 301 $docs_redirect; }\n"
           "#   error_page 404 /404.html;   # sends paths without a language to the default one\n"
           "map $uri $docs_redirect {\n"
           '    default "";\n')
    for _, line in heapq.merge(entries(plain, ""), entries(slashed, "/")):
        yield line
    yield "}\n"


def in_chunks(lines: Iterable[str], size: int = 4096, joiner: str = "") -> Iterator[bytes]:
    """The UTF-8 bytes of `lines`, `size` lines at a time, each chunk joined by `joiner` (a
    host file of 100,000s of rules is written as it is made, never held whole)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield joiner.join(batch).encode("utf-8")
            batch = []
    if batch:
        yield joiner.join(batch).encode("utf-8")


def _nginx_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


SITEMAP_URLS = 50_000
"""Most `<url>` entries in one sitemap file (sitemaps.org)."""
SITEMAP_BYTES = 50 * 1024 * 1024
"""Largest sitemap file, uncompressed (sitemaps.org)."""
_URLSET = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')
_URLSET_END = "</urlset>\n"


def write_sitemap(site, writer, outputs, keep_if: str | None = None, base_url: str = "",
                  max_bytes: int | None = None,
                  prebuilt: tuple[Path | None, str] | None = None) -> tuple[dict[str, list[str]], str]:
    """`sitemap.xml` with hreflang alternates between languages of the same page and version.
    Over sitemaps.org's limits (50,000 URLs, 50 MB) or `max_bytes` (the host's largest file),
    `sitemap.xml` is a sitemap index of `sitemap-1.xml`, `sitemap-2.xml`, ... that are not.

    Returns the files and a digest of the output list (`/N` after it: N files); when its digest
    part equals `keep_if`'s, the sitemap files already in the site are kept. `prebuilt`
    (assemble): (the folder of the build shard that wrote the sitemap, or None when it is in
    place already; what this function returned there): used when the digests are equal."""
    base = base_url.rstrip("/")
    h = hashlib.sha1((base + "\n").encode())
    for i, path in enumerate(sorted(o.path for o in outputs)):  # the text "\n".join(...) would be: never made
        h.update(((i and "\n" or "") + path).encode())
    limit = min(SITEMAP_BYTES, max_bytes) if max_bytes else SITEMAP_BYTES
    h.update(b"\nmax %d bytes, %d URLs" % (limit, SITEMAP_URLS))
    digest = h.hexdigest()
    kept, _, count = (keep_if or "").partition("/")
    if kept == digest:
        return _sitemap_files(int(count) if count.isdigit() else 1), keep_if
    count = (prebuilt[1] if prebuilt is not None else "").partition("/")[2]
    if (prebuilt is not None and prebuilt[1].partition("/")[0] == digest
            and (not count or (count.isdigit() and 1 < int(count) <= len(outputs)))):  # a file holds a URL at least
        folder, value = prebuilt
        files = _sitemap_files(int(count) if count else 1)
        if folder is None or all(_regular(os.path.join(folder, name)) for name in files):
            for name in files if folder is not None else ():
                writer.link_from(folder, name)
            return files, value
    by_key: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}  # -> lang -> (URL path, its <loc>)
    for o in outputs:  # each URL escaped once, though written in every language's entry, twice
        url = "/" + quote(o.path[: -len("index.html")], safe=_SAFE)
        by_key.setdefault((o.page, o.version), {})[o.lang] = (url, xml_escape(base + url))
    hreflang = {code: xml_escape(code) for code in {o.lang for o in outputs}}

    def entries() -> Iterator[str]:  # made as they are written: a big site's sitemap is tens of MB
        for (_page, _version), langs in sorted(by_key.items(), key=lambda kv: min(u for u, _ in kv[1].values())):
            for code, (_url, loc) in sorted(langs.items()):
                lines = [f"  <url><loc>{loc}</loc>\n"]
                if len(langs) > 1:
                    for other, (_other_url, other_loc) in sorted(langs.items()):
                        lines.append(f'    <xhtml:link rel="alternate" hreflang="{hreflang[other]}" '
                                     f'href="{other_loc}"/>\n')
                lines.append("  </url>\n")
                yield "".join(lines)

    room = limit - len(_URLSET) - len(_URLSET_END)
    parts, size = [0], 0  # entries per file, from the entries' sizes (made twice rather than held)
    for entry in entries():
        length = len(entry.encode("utf-8"))
        if parts[-1] and (parts[-1] == SITEMAP_URLS or size + length > room):
            parts.append(0)
            size = 0
        parts[-1] += 1
        size += length
    if len(parts) == 1:
        writer.write("sitemap.xml", in_chunks(itertools.chain([_URLSET], entries(), [_URLSET_END])))
        return _sitemap_files(1), digest
    made = entries()
    for k, n in enumerate(parts, 1):
        writer.write(f"sitemap-{k}.xml", in_chunks(itertools.chain([_URLSET], itertools.islice(made, n),
                                                                   [_URLSET_END])))
    writer.write("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                 + "".join(f"  <sitemap><loc>{xml_escape(f'{base}/sitemap-{k}.xml')}</loc></sitemap>\n"
                           for k in range(1, len(parts) + 1)) + "</sitemapindex>\n")
    return _sitemap_files(len(parts)), f"{digest}/{len(parts)}"


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _sitemap_files(count: int) -> dict[str, list[str]]:
    """`sitemap.xml`, and the `count` files it indexes when there is more than one."""
    files: dict[str, list[str]] = {"sitemap.xml": []}
    if count > 1:
        files.update((f"sitemap-{k}.xml", []) for k in range(1, count + 1))
    return files
