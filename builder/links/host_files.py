"""The redirect files of a host profile: `_redirects` rules, stubs where the host needs them,
`redirect-map.json` for the 404 page (Cloudflare), the nginx map (nginx)."""

from __future__ import annotations

import json

from ..output.hosts import Host
from .host_rules import MAP_FILE, entries, plan
from .outputs import RedirectFiles, _live_paths, host_value, in_chunks, render_nginx, write_stubs

HEADER = "# Redirects for {name} (written by docs-builder --host {name}; see docs/deploy.md)."


def host_plan(site, host: Host, redirects, live: set[str], written=()):
    """The plan (rules, stubs, map) of `redirects` for `host` on a site of `live` URL paths plus
    the files `written` already."""
    space = site.config.space
    latest = {}
    for p in space.plans:
        v = space.latest(p) if p.numbered else None
        if p.numbered and v in site.versions:
            latest[f"{p.name}@latest"] = v.segment
    default_plan = space.default.plan
    latest.setdefault(f"{default_plan.name}@latest", "")
    found = entries(site.tree, site.links.redirects, site.versions, site.default_language)
    return plan(host, redirects, live | _live_paths(written), found, [lang.code for lang in site.languages],
                site.default_language.code, latest, [v.segment for v in site.versions])


def write_for_host(site, writer, host: Host, redirects, live: set[str], output_paths: set[str],
                   keep_if: str | None, digest: str, only_live: bool, prebuilt=None) -> RedirectFiles:
    shaped = host_plan(site, host, redirects, live, writer.written)
    keep = keep_if == digest
    written = write_stubs(site, writer, shaped.stubs, output_paths, live if only_live else None, keep, prebuilt)
    files: dict[str, object] = {}  # text, or the bytes of a large file as they are made
    if host.redirect_rules:
        lines = [HEADER.format(name=host.name)]
        lines += [f"{host_value(s, '_redirects')} {host_value(t, '_redirects')} {c}" for s, t, c in shaped.rules]
        files["_redirects"] = "\n".join(lines) + "\n"
    if shaped.map_doc is not None:
        files[MAP_FILE] = json.dumps(shaped.map_doc, ensure_ascii=True, sort_keys=True, separators=(",", ":")) + "\n"
    if host.name == "nginx":
        files["nginx-redirects.conf"] = in_chunks(render_nginx(redirects, site))
    for name, text in files.items():
        if not keep:
            writer.write(name, text)
        written[name] = []
    return RedirectFiles(written, digest)
