"""Redirect outputs (HTML stubs, `_redirects`, `redirects.json`, nginx map) and `sitemap.xml`."""

from __future__ import annotations

import hashlib
import json
from xml.sax.saxutils import escape as xml_escape

from .redirects import Redirect, compute_redirects


def _file_of(url_path: str) -> str:
    return url_path.strip("/") + "/index.html" if url_path.strip("/") else "index.html"


def _live_paths(outputs) -> set[str]:
    live = set()
    for path in outputs:
        live.add("/" + path[: -len("/index.html")] if path.endswith("/index.html") else "/" + path)
    return live


def write_redirects(site, writer, output_paths: set[str], keep_if: str | None = None) -> dict[str, list[str]]:
    """Stubs plus host configuration files; returns the files (for the manifest) and, under
    `__digest__`, a digest of the redirects. When it equals `keep_if`, the stubs already in the
    site are kept instead of being written again."""
    redirects = compute_redirects(
        site.tree, site.links.redirects, site.config.space, site.languages, site.versions,
        site.default_language, _live_paths(output_paths),
    )
    digest = hashlib.sha1("\n".join([*(f"{r.source} {r.target}" for r in redirects),
                                      repr(_generic_rules(site))]).encode()).hexdigest()
    written: dict[str, list[str]] = {"__digest__": [digest]}
    stubs: list[tuple[str, str]] = []
    for r in redirects:
        if r.source == "/":
            continue
        rel = _file_of(r.source)
        if rel in output_paths or rel in writer.written:
            continue
        written[rel] = []
        if keep_if == digest:
            continue
        lang = r.source.strip("/").split("/", 1)[0]
        lang = lang if site.config.language(lang) else site.default_language.code
        stubs.append((rel, site.layout.render_redirect(r.target, lang, site.ui[lang]("redirect.moved"))))
    writer.write_many(stubs)
    if keep_if != digest:  # the same redirects: the host files in the site stay as they are
        writer.write("_redirects", render_netlify(redirects, site))
        writer.write("redirects.json", json.dumps({r.source: r.target for r in redirects}, indent=1, sort_keys=True) + "\n")
        writer.write("nginx-redirects.conf", render_nginx(redirects, site))
    for name in ("_redirects", "redirects.json", "nginx-redirects.conf"):
        written[name] = []
    return written


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


def render_netlify(redirects: list[Redirect], site) -> str:
    lines = ["# Redirects for Netlify and Cloudflare Pages (written by docs-builder)."]
    for r in redirects:
        status = 302 if r.reason in ("latest", "no-language") else 301
        lines.append(f"{r.source} {r.target} {status}")
    for source, target, status in _generic_rules(site):
        lines.append(f"{source} {target} {status}")
    return "\n".join(lines) + "\n"


def render_nginx(redirects: list[Redirect], site) -> str:
    entries = []
    for r in redirects:
        sources = {r.source} if r.source == "/" else {r.source, r.source + "/"}
        for source in sources:
            entries.append(f"    {_nginx_quote(source)} {_nginx_quote(r.target)};")
    head = [
        "# nginx: include this file in the http block, then in the server block add:",
        "#   if ($docs_redirect) { return 301 $docs_redirect; }",
        "#   error_page 404 /404.html;   # sends paths without a language to the default one",
        "map $uri $docs_redirect {",
        '    default "";',
    ]
    return "\n".join(head + sorted(entries) + ["}"]) + "\n"


def _nginx_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_sitemap(site, writer, outputs, keep_if: str | None = None, base_url: str = "") -> tuple[dict[str, list[str]], str]:
    """`sitemap.xml` with hreflang alternates between languages of the same page and version.

    Returns the files and a digest of the output list; when it equals `keep_if`, the sitemap
    already in the site is kept."""
    base = base_url.rstrip("/")
    digest = hashlib.sha1((base + "\n" + "\n".join(sorted(o.path for o in outputs))).encode()).hexdigest()
    if keep_if == digest:
        return {"sitemap.xml": []}, digest
    by_key: dict[tuple[str, str], dict[str, str]] = {}
    for o in outputs:
        url = "/" + o.path[: -len("index.html")]
        by_key.setdefault((o.page, o.version), {})[o.lang] = url
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for (_page, _version), langs in sorted(by_key.items(), key=lambda kv: sorted(kv[1].values())[0]):
        for code, url in sorted(langs.items()):
            lines.append(f"  <url><loc>{xml_escape(base + url)}</loc>")
            if len(langs) > 1:
                for other, other_url in sorted(langs.items()):
                    lines.append(
                        f'    <xhtml:link rel="alternate" hreflang="{xml_escape(other)}" href="{xml_escape(base + other_url)}"/>'
                    )
            lines.append("  </url>")
    lines.append("</urlset>")
    writer.write("sitemap.xml", "\n".join(lines) + "\n")
    return {"sitemap.xml": []}, digest
