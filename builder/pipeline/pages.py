"""Build one page in every selected language and version: Liquid -> Markdown -> layout -> write."""

from __future__ import annotations

import dataclasses
import re
import sys
from html import escape

import jinja2
from markupsafe import Markup

from ..checks import rendered as checks
from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.location import LineIndex, Location
from ..core.urls import output_file
from ..i18n.fallback import Fallback, fallback_from
from ..layout.pickers import picker_context, unused_defaults
from ..layout.render import template_diagnostic
from ..liquid_tags.sourcemap import SourceMap, collapse_blank_lines
from ..markdown_rules.links import LinkRef
from ..markdown_rules.alert_text import warnings as alert_warnings
from ..markdown_rules.budget import problems as markdown_limits
from ..markdown_rules.chunks import render_sections
from ..markdown_rules.parser import MAX_NESTING, RenderedMarkdown, heading_ids_of, html_text, render_markdown
from ..markdown_rules.tool_blocks import tool_blocks
from ..sources.config import Language
from ..sources.content import Page
from ..versions.model import Version
from ..layout.context import ContextBuilder
from ..links.finish import anchors_of, finish_html
from ..checks.external_links import external_hrefs
from ..output.markdown_copy import Entry, markdown_path, markdown_url, page_markdown, rewrite_links
from .metas import Metas
from .results import Output, PageResult
from .props import PropOutcome
from .site import Site


class PageBuilder:
    """Holds the per-process caches; `build(page, write)` does one page."""

    def __init__(self, site: Site, metas: Metas):
        self.site = site
        self.metas = metas
        self.context = ContextBuilder(site, metas)
        self.template_sources = [p.relative_to(site.root).as_posix() for p in site.layout.template_files()]
        self.markdown = True
        """Write each output's Markdown copy (`index.md`) next to its `index.html`."""
        self.languages_of: dict[str, frozenset[str]] | None = None
        """A build shard's share: page rel -> the languages it builds the page in (None: all)."""
        self.external = True
        """Collect the body's http(s) links (`PageResult.external`): only `check --external` reads
        them, and a build that writes leaves them out (they are most of what a result holds)."""

    def build(self, page: Page, write, only: tuple[str, str] | None = None) -> PageResult:
        """Build `page`; problems in data files met on the way are reported with it.
        `only=(language code, version id)` builds that one output (the dev server's first view)."""
        known = len(self.site.data.problems)
        result = self._build(page, write, only)
        result.problems.extend(self.site.data.problems[known:])
        return result

    def _build(self, page: Page, write, only: tuple[str, str] | None = None) -> PageResult:
        site = self.site
        result = PageResult(page.rel)
        versions = site.built_versions(page)
        languages = site.languages
        if self.languages_of is not None:
            mine = self.languages_of.get(page.rel, frozenset())
            languages = tuple(lang for lang in languages if lang.code in mine)
        if only is not None:
            versions = [v for v in versions if v.id == only[1]]
            languages = [lang for lang in languages if lang.code == only[0]]
        if not versions:
            return result
        english = _English(site, page, versions)
        features = self._frontmatter_features(page)
        for lang in languages:
            loc = site.localized(lang, page)
            result.problems.extend(loc.problems)
            for d in loc.problems:
                where = f"{d.location.path}:{d.location.line}" if d.location else ""
                kind = "repairs" if d.code is codes.TRANSLATION_REPAIRED else "fallbacks"
                result.event(lang.code, kind, f"{where}: {d.message}")
            outcomes, problems = site.props.render(loc, "body", versions)
            result.problems.extend(problems)
            if lang.is_default:
                english.body = outcomes
            done: set[str] = set()
            md_cache: dict[tuple, RenderedMarkdown] = {}
            # Versions with different texts share the sections they have in common; a page with
            # a single text is rendered whole (cutting it into sections would only cost).
            sections: dict | None = {} if len({po.text for po in outcomes}) > 1 else None
            for po in outcomes:
                result.stats["liquid"] += 1
                if not po.outcome.ok:
                    continue
                text, marks = collapse_blank_lines(po.text, po.outcome.marks)
                smap = SourceMap(text, marks, po.outcome.includes)
                for version in po.versions:
                    ids = english.heading_ids(version) if po.source.translated else None
                    key = (text, tuple(ids) if ids is not None else None)
                    rendered = md_cache.get(key)
                    if rendered is None:
                        result.stats["markdown"] += 1
                        rendered = md_cache[key] = self._markdown(text, lang, ids, page, result, sections, smap)
                        rendered._checks = checks.check(rendered.html, text)
                        if not po.source.translated:
                            result.problems.extend(checks.diagnostics(rendered._checks, smap.locate, page.src))
                    if lang.is_default:
                        english.rendered[id(po)] = rendered
                    self._write_version(page, lang, version, po, rendered, smap, text, write, result, english, features)
                    done.add(version.id)
            result.failed += len([v for v in versions if v.id not in done])
            if lang.is_default and only is None and len(done) == len(versions):
                result.problems.extend(unused_defaults(page, [r.variants for r in md_cache.values()]))
        for lang in {*languages, site.default_language}:  # English too, read for the translations
            site.forget(lang, page)
        return result

    def _markdown(self, text: str, lang: Language, ids, page: Page, result: PageResult,
                  sections: dict | None = None, smap: SourceMap | None = None) -> RenderedMarkdown:
        ui = self.site.ui[lang.code]
        options = {"alert_titles": ui.alert_titles(), "heading_ids": ids,
                   "ui": {"copy_code": ui("code.copy"), "task_done": ui("code.task_done"), "task_todo": ui("code.task_todo")}}
        if sections is None:
            rendered, count = render_markdown(text, **options), 1
        else:
            rendered, count = render_sections(text, sections, **options)
        result.stats["sections"] = result.stats.get("sections", 0) + count
        html, variants = tool_blocks(rendered.html)
        if variants is not None or html is not rendered.html:
            rendered = dataclasses.replace(rendered, html=html)
            rendered.variants = variants
        if rendered.too_deep:
            where = None
            if smap is not None:
                where = smap.locate(LineIndex(text).offset(rendered.too_deep))
                if where is not None:
                    where = Location(where.path, where.line, 1, where.source_line, 1)
            result.problems.append(Diagnostic(
                codes.MARKDOWN,
                f"quotes and lists are nested too deeply (the limit is {MAX_NESTING} levels, where a quote "
                "counts one and a list two); the deeper content cannot be rendered: reduce the nesting",
                where or Location(page.src, 1, 1)))
        found = [(*limit, Severity.ERROR) for limit in markdown_limits(rendered)]
        found += [(line, codes.ALERT_MARKER_TEXT, message, Severity.WARNING) for line, message in alert_warnings(rendered)]
        for line, code, message, severity in found:
            where = smap.locate(LineIndex(text).offset(line)) if smap is not None else None
            if where is not None:
                where = Location(where.path, where.line, 1, where.source_line, 1)
            result.problems.append(Diagnostic(code, message, where or Location(page.src, 1, 1), severity))
        return rendered

    def _frontmatter_features(self, page: Page) -> list[str]:
        versions = page.fm.get("versions")
        names = versions.get("feature") if isinstance(versions, dict) else None
        names = names if isinstance(names, list) else [names] if names else []
        files = self.site.data.feature_files
        return [files[n] for n in names if isinstance(n, str) and n in files]

    def _finish(self, lang: Language, version: Version, rendered: RenderedMarkdown, text: str, smap: SourceMap):
        ctx = self.context
        return finish_html(
            rendered.html, rendered.links, lang=lang.code, version=version,
            resolve=self.site.links.resolve,
            title_of=lambda p, v: ctx.title(lang, p, v),
            locate=lambda link: _locate_link(text, smap, link),
            notes=lambda loc: smap.included_from(loc.path) if loc is not None else (),
        )

    def _write_version(self, page: Page, lang: Language, version: Version, po: PropOutcome,
                       rendered: RenderedMarkdown, smap: SourceMap, text: str, write, result: PageResult,
                       english: "_English", features: list[str]) -> None:
        site = self.site
        ctx = self.context
        done = self._finish(lang, version, rendered, text, smap)
        # What the translation's body read and linked to decides whether it falls back, so it
        # stays among the output's inputs even when English is shown (a fix through a redirect,
        # a wider `versions` or an edited translated reusable then rebuilds the page).
        tried_links, tried_reads = done.links, po.outcome.reads
        if po.source.translated:  # its heading ids are English's: what English's body read too
            tried_reads = {*tried_reads, *english.reads(version)}
        bad = self._rendered_problem(po, version, rendered, text, smap, english) if not done.broken else None
        if bad is not None:
            en = english.outcome(version)
            if en is not None:
                en_text, en_marks = collapse_blank_lines(en.text, en.outcome.marks)
                rendered = self._markdown(en_text, lang, None, page, result)
                text, smap = en_text, SourceMap(en_text, en_marks, en.outcome.includes)  # English's, from here on
                done = self._finish(lang, version, rendered, text, smap)
                po = PropOutcome(en.outcome, en.source, fallback_from("body", bad))
        if po.source.translated and done.broken:
            # A link that does not resolve in the translation: this version shows the English
            # body, unless English has the same broken links (then they are English's problem).
            en = english.outcome(version)
            if en is not None and all(_links_to(en.text, href) for href in done.broken):
                en = None
                done.problems = [d for d in done.problems if not d.is_error]
            if en is not None:
                first = next(d for d in done.problems if d.is_error)
                en_text, en_marks = collapse_blank_lines(en.text, en.outcome.marks)
                rendered = self._markdown(en_text, lang, None, page, result)
                text, smap = en_text, SourceMap(en_text, en_marks, en.outcome.includes)  # English's, from here on
                done = self._finish(lang, version, rendered, text, smap)
                po = PropOutcome(en.outcome, en.source, fallback_from("body", first))
        result.problems.extend(done.problems)
        result.problems.extend(ctx.link_problems(lang, version, page))
        for url in external_hrefs(done.html) if self.external else ():
            where = _locate_url(text, smap, url, page.src)
            result.external.append((url, where, smap.included_from(where.path), lang.code, version.id))
        result.fragments.extend(done.fragments)
        meta = self.metas.get(lang, page, version.id)
        comments = {prop: fb.comment() for prop, fb in meta.fallbacks.items() if prop in ("title", "intro")}
        if po.fallback is not None:
            comments["body"] = po.fallback.comment()
        for fb in [po.fallback, *meta.fallbacks.values()]:
            if fb is not None:
                result.problems.append(fb.warning(lang.code, page.src))
                result.event(lang.code, "fallbacks",
                             f"{fb.prop} falls back to English: {fb.type} at {fb.file}:{fb.line}:{fb.col}: {fb.message}",
                             key=f"{fb.prop} {fb.type} {fb.file}:{fb.line}:{fb.col}")
        texts = {m.group(1): html_text(m.group(2)) for m in _H2.finditer(done.html)}
        variants = rendered.variants
        only_in = variants.headings if variants is not None else {}
        toc = [{"id": h.id, "text": texts.get(h.id, h.text), "variants": only_in.get(h.id, ())}
               for h in rendered.headings if h.level == 2]
        loc = site.localized(lang, page)
        context = ctx.build(lang, version, page, translated=loc.translated, body=Markup(done.html),
                            toc=toc, fallback_comments=comments)
        context["pickers"] = picker_context(variants, page.fm, site.ui[lang.code])
        if self.markdown:
            context["markdown_url"] = markdown_url(context["canonical"])
        try:
            html = site.layout.render_page(page.kind, context)
        except jinja2.TemplateError as err:
            result.problems.append(template_diagnostic(site.layout, err))
            return
        path = output_file(lang.code, version, page.url)
        write(path, html)
        md_path = ""
        if self.markdown:
            md_path = markdown_path(path)
            body = rewrite_links(text, done.targets.get, done.titles.get)
            children = [Entry(c["title"], c["url"], html_text(str(c["intro"]))) for c in context["children"]]
            meta_page = context["page"]
            notes = [html_text(str(meta_page[key])) for key in ("product_notice", "permissions")]
            write(md_path, page_markdown(meta_page["title"], meta_page["intro_text"], body, children, notes))
        anchors = getattr(rendered, "_anchors", None)
        if anchors is None:  # ids do not depend on the version: collect them once per render
            anchors = rendered._anchors = tuple(sorted(anchors_of(rendered.html) | {"title", "main"}))
        result.anchors[(lang.code, version.id)] = anchors
        sources = {page.src, *po.outcome.reads, *tried_reads, *meta.reads, *meta.sources, po.source.path,
                   *self.template_sources}
        if loc.probe:
            sources.add(loc.probe)
        sources.update(features)
        intern = sys.intern  # shared strings: a smaller cache and less memory per output
        output = Output(path, tuple(intern(s) for s in sorted(sources)), lang.code, version.id, page.rel,
                        tuple(sorted({*done.links, *tried_links})), md_path)
        result.outputs.append(output)
        result.stats["outputs"] += 1


    @staticmethod
    def _rendered_problem(po: PropOutcome, version: Version, rendered: RenderedMarkdown, text: str,
                          smap: SourceMap, english: "_English") -> Diagnostic | None:
        """For a translation: the first rendered-output problem English does not have (then
        the body falls back), or None."""
        if not po.source.translated:
            return None
        view = english.checked(version)
        if view is None:
            return None
        en_findings, en_structure = view
        found = getattr(rendered, "_checks", None) or []
        kinds: dict[str, int] = {}
        for f in en_findings:
            kinds[f.code.code] = kinds.get(f.code.code, 0) + 1
        counts: dict[str, int] = {}
        own = []
        for f in found:
            counts[f.code.code] = counts.get(f.code.code, 0) + 1
            if counts[f.code.code] > kinds.get(f.code.code, 0):
                own.append(f)
        own += checks.compare(checks.structure(rendered.html, text), en_structure, text)
        if not own:
            return None
        return checks.diagnostics(own[:1], smap.locate, po.source.path, checks.Severity.ERROR)[0]


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def _links_to(text: str, href: str) -> bool:
    """Whether Markdown `text` has a link to exactly `href` (not merely a longer path)."""
    start = text.find(href)
    while start != -1:
        end = start + len(href)
        if text[start - 1 : start] in ("(", "<", '"', "'", " ") and text[end : end + 1] in (")", ">", '"', "'", " ", "\n", ""):
            return True
        start = text.find(href, end)
    return False


class _English:
    """The English body of a page, rendered only if a translation needs it (its heading ids,
    or its text where a translation's link is broken)."""

    def __init__(self, site: Site, page: Page, versions: list[Version]):
        self.site, self.page, self.versions = site, page, versions
        self.body: list[PropOutcome] | None = None
        self._ids: dict[int, list[str]] = {}
        self._checked: dict[int, tuple] = {}
        self.rendered: dict[int, RenderedMarkdown] = {}
        """id(English outcome) -> its Markdown, kept from the English pages' build."""

    def outcome(self, version: Version) -> PropOutcome | None:
        if self.body is None:
            site = self.site
            self.body, _ = site.props.render(site.localized(site.default_language, self.page), "body", self.versions)
        return next((e for e in self.body if version in e.versions and e.outcome.ok), None)

    def reads(self, version: Version) -> set[str]:
        en = self.outcome(version)
        return en.outcome.reads if en is not None else set()

    def checked(self, version: Version):
        """(findings, structure) of English's rendered body for `version`, or None."""
        en = self.outcome(version)
        if en is None:
            return None
        got = self._checked.get(id(en))
        if got is None:
            done = self.rendered.get(id(en))  # rendered for the English pages already
            if done is not None:
                findings, html = done._checks, done.html
            else:
                text = collapse_blank_lines(en.text, [])[0]
                html = render_markdown(text).html
                findings = checks.check(html, text)
            got = self._checked[id(en)] = (findings, checks.structure(html, en.text))
        return got

    def heading_ids(self, version: Version) -> list[str]:
        """The ids English gives its headings, so a translation's anchors match (one parse per English text)."""
        en = self.outcome(version)
        if en is None:
            return []
        ids = self._ids.get(id(en))
        if ids is None:
            ids = self._ids[id(en)] = heading_ids_of(collapse_blank_lines(en.text, [])[0])
        return ids


def _locate_link(text: str, smap: SourceMap, link: LinkRef):
    """Where a link's href is in the source: its block's line, then the href on it."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: link.line])
    href = link.href
    pos = text.find(href, offset)
    if pos == -1:
        pos = text.find(href.split("#")[0], offset) if "#" in href else -1
    if pos == -1:
        pos = offset
    loc = smap.locate(pos, len(href))
    return loc


def _locate_url(text: str, smap: SourceMap, url: str, src: str) -> Location:
    """Where an external URL of the body is in the source (its first mention), else the page."""
    pos = text.find(url)
    if pos == -1:
        from urllib.parse import unquote

        pos = text.find(unquote(url))
    if pos == -1:
        return Location(src, 1, 1)
    return smap.locate(pos, len(url)) or Location(src, 1, 1)


__all__ = ["PageBuilder", "PageResult", "Output", "Fallback", "escape"]
