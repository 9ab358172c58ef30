"""`docs-builder archive RELEASE --out DIR`: freeze one release as static pages inside a site.

The release is built by the pipeline (every selected language, that version only) into a
temporary folder; its pages get a banner saying the release is no longer supported (linking
to the latest version of the same page, or that version's home when the page is not there),
a version picker that reads `/versions.json` at run time, frozen copies of the styles and
scripts, and no search box (the live index does not cover them). They are then moved into
DIR at their usual URLs, with the marker `_archive/<version>/archive.json` moved in last.
Later builds into DIR keep them as they are (builder/output/archives.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Problems
from ..core.errors import ConfigError
from ..core.paths import inside, safe_output_path
from ..core.urls import page_url
from ..output import archives as out_archives
from ..output import writer as out_writer
from ..pipeline.build import BuildOptions, run_build
from ..pipeline.site import Site
from ..sources.config import load_config
from ..versions.model import Version
from .release import deprecated_release, one_version


@dataclass
class ArchiveReport:
    version: str
    problems: Problems = field(default_factory=Problems)
    pages: int = 0
    languages: list[str] = field(default_factory=list)
    written: bool = False


def archive_release(root: Path, release: str, out: Path, *, languages: list[str] | None = None,
                    replace: bool = False, jobs: int = 0, keep_going: bool = False) -> ArchiveReport:
    config = load_config(root)
    gone = deprecated_release(config.space, release)
    if gone is not None:
        raise ConfigError(Diagnostic(
            codes.ARCHIVE_DEPRECATED,
            f"archive {release!r}: {gone} is deprecated, so its pages are no longer in the sources and "
            "cannot be built; archive a release before `docs-builder deprecate` removes it"))
    version = one_version(config.space, release, "archive RELEASE")
    existing = out_archives.find_archives(out) if out.is_dir() else {}
    if version.id in existing and not replace:
        raise ConfigError(Diagnostic(
            codes.ARCHIVE_EXISTS,
            f"--out {out} already holds an archive of {version.id} "
            f"({out_archives.marker_path(version.id)}); pass --replace to archive it again"))
    report = ArchiveReport(version.id)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".archive-tmp-", dir=out.parent))
    try:
        built = work / "build"
        result = run_build(BuildOptions(root=root, out=built, versions=[version.id], languages=languages,
                                        jobs=jobs, search=False, incremental=False, keep_going=keep_going))
        # An archive keeps pages only: the build's sitemap (or its DB820 warning) is not part of it.
        report.problems.extend(d for d in result.problems if d.code is not codes.SITEMAP_NO_BASE_URL)
        if not result.written or (report.problems.errors and not keep_going):
            return report
        site = Site(root, None, languages)
        stage = work / "stage"
        _freeze(site, version, built, stage, report)
        _move_in(stage, out, version, report.languages)
        report.written = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _latest(site: Site, version: Version) -> Version:
    """The version readers of an archived release are sent to: the plan's newest release."""
    space = site.config.space
    latest = space.latest(version.plan)
    return latest if latest is not version else space.default


def _freeze(site: Site, version: Version, built: Path, stage: Path, report: ArchiveReport) -> None:
    manifest = out_writer.read_manifest(built)
    outputs = manifest.get("outputs", {})
    writer = out_writer.StagingWriter(stage)
    seg = version.segment or version.id
    assets = f"{out_archives.FOLDER}/{seg}/_static"
    latest = _latest(site, version)
    pages: set[str] = set()
    languages = [lang for lang in site.languages]
    for lang in languages:
        folder = built / lang.code / seg
        if not folder.is_dir():
            continue
        report.languages.append(lang.code)
        for dirpath, _dirnames, filenames in os.walk(folder):
            for name in sorted(filenames):
                rel = os.path.relpath(os.path.join(dirpath, name), built).replace(os.sep, "/")
                safe_output_path(rel)
                data = (built / rel).read_bytes()
                entry = outputs.get(rel) if isinstance(outputs, dict) else None
                rel_page = entry.get("page") if isinstance(entry, dict) else None
                page = site.tree.pages.get(rel_page) if isinstance(rel_page, str) else None
                if page is not None and entry.get("version") == version.id:
                    data = _frozen_page(data.decode("utf-8"), site, lang, version, latest, page, assets).encode("utf-8")
                    pages.add(page.url)
                    report.pages += 1
                writer.write(rel, data)
    for rel in sorted(p for p in outputs if isinstance(p, str) and p.startswith("_static/")):
        writer.write(f"{assets}/{rel.removeprefix('_static/')}", (built / rel).read_bytes())
    script = resources.files("builder.layout").joinpath("static").joinpath("archive.js").read_bytes()
    writer.write(f"{assets}/archive.js", script)
    marker = {"format": out_archives.FORMAT, "version": version.id, "title": version.title,
              "languages": report.languages, "pages": sorted(pages)}
    writer.write(out_archives.marker_path(version.id),
                 (json.dumps(marker, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


_BODY = re.compile(r"<body[^>]*>")
_PICKER = re.compile(r'<details class="picker version-picker">.*?</details>|'
                     r'<span class="picker-static version-static".*?</span></span>', re.S)
_SEARCH = re.compile(r'<form class="search".*?</form>\n?', re.S)
_ICON = re.compile(r"<svg.*?</svg>", re.S)


def _frozen_page(html: str, site: Site, lang, version: Version, latest: Version, page, assets: str) -> str:
    ui = site.ui[lang.code]
    here = page.url
    if latest.id in page.versions:
        target, label = page_url(lang.code, latest, here), ui("archive.latest_page")
    else:
        target, label = page_url(lang.code, latest, ""), ui("archive.latest_home")
    banner = (f'<div class="notice notice-warning archive-banner" role="note" data-pagefind-ignore>'
              f'<p>{escape(ui("archive.banner", version=version.title))} '
              f'<a href="{escape(target)}">{escape(label)}</a></p></div>\n')
    found = _PICKER.search(html)
    icon = _ICON.search(found.group(0)).group(0) if found and _ICON.search(found.group(0)) else ""
    picker = (
        f'<details class="picker version-picker archive-picker" data-versions="/{out_archives.VERSIONS_FILE}" '
        f'data-lang="{escape(lang.code)}" data-path="{escape(here)}" data-version="{escape(version.id)}" '
        f'data-title="{escape(version.title)}" data-archived-label="{escape(ui("archive.archived"))}">'
        f'<summary aria-label="{escape(ui("picker.version"))}: {escape(version.title)}">{icon}'
        f'<span class="picker-label">{escape(version.title)}</span></summary>'
        f'<ul class="picker-menu" aria-label="{escape(ui("picker.version_picker_default_text"))}">'
        f'<li><a href="{escape(target)}" hreflang="{escape(lang.code)}" data-version="{escape(latest.id)}">'
        f'{escape(latest.title)}</a></li>'
        f'<li><a href="{escape(page_url(lang.code, version, here))}" hreflang="{escape(lang.code)}" '
        f'data-version="{escape(version.id)}" aria-current="true">{escape(version.title)} '
        f'({escape(ui("archive.archived"))})</a></li></ul></details>')
    if found:
        html = html[:found.start()] + picker + html[found.end():]
    else:
        banner = banner.replace("</p></div>", f"</p>{picker}</div>")
    html = _SEARCH.sub("", html, count=1)
    html = html.replace('"/_static/', f'"/{assets}/')
    head = (f'<meta name="robots" content="noindex">\n'
            f'<script src="/{assets}/archive.js" defer></script>\n</head>')
    html = html.replace("</head>", head, 1)
    end = html.find("</header>")
    if end != -1:
        end += len("</header>")
        return html[:end] + "\n" + banner + html[end:].lstrip("\n")
    body = _BODY.search(html)
    if body is None:
        return banner + html
    return html[:body.end()] + "\n" + banner + html[body.end():]


def _move_in(stage: Path, out: Path, version: Version, languages: list[str]) -> None:
    """Put each staged folder in place of the one in --out (the marker's folder last)."""
    real_out = os.path.realpath(out)
    seg = version.segment or version.id
    folders = [f"{code}/{seg}" for code in languages]
    marker_folder = f"{out_archives.FOLDER}/{seg}"
    for folder in [marker_folder, *folders]:  # the old marker goes first: no half archive looks whole
        _remove(out / folder, real_out)
    for folder in [*folders, marker_folder]:
        target = out / folder
        parent = target.parent
        if parent.is_symlink():
            parent.unlink()
        parent.mkdir(parents=True, exist_ok=True)
        if not inside(real_out, os.path.realpath(parent)):
            raise ConfigError(Diagnostic(codes.CONFIG_OUTPUT, f"refusing to write {folder}: it resolves outside --out {out}"))
        os.replace(stage / folder, target)


def _remove(path: Path, real_out: str) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        if not inside(real_out, os.path.realpath(path)):
            raise ConfigError(Diagnostic(codes.CONFIG_OUTPUT, f"refusing to remove {path}: it resolves outside --out"))
        shutil.rmtree(path)
