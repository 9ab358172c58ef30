"""Page layouts: Jinja2 templates shipped in the package, overridable from `<root>/templates`."""

from __future__ import annotations

from html import escape
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.icons import icon_svg
from ..core.errors import ContentError
from ..core.location import Location, at_line
from ..markdown_rules.highlight import pygments_css
from .pickers import pickers_css
from ..sources.files import is_outside, outside_diagnostic, read_source, source_exists

TEMPLATE_FOR_KIND = {"home": "home.html", "product": "product.html", "category": "category.html", "article": "article.html"}


_ICONS: dict[tuple, Markup] = {}


def _icon(name: str, attrs: dict | None = None) -> Markup:
    key = (name, tuple(sorted(attrs.items())) if attrs else ())
    found = _ICONS.get(key)
    if found is None:
        found = _ICONS[key] = Markup(icon_svg(name, attrs))
    return found


class RefusedTemplate(jinja2.TemplateError):
    """A site template that cannot be read (a link outside the root, a pipe, no permission)."""

    def __init__(self, name: str, diagnostics: list[Diagnostic]):
        super().__init__(diagnostics[0].message if diagnostics else name)
        self.diagnostics = diagnostics


class TemplateFailure(Exception):
    """A site template failed while a whole-site file was rendered with it (DB702)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Overrides(jinja2.BaseLoader):
    """The site's own templates, minus the ones found broken (the package's are used instead).

    Each is read through `read_source`, like every other source: never through a link that
    leads outside the site's root."""

    def __init__(self, root: Path):
        self.root = root
        self.blocked: set[str] = set()

    def get_source(self, environment, template):
        if template in self.blocked:
            raise jinja2.TemplateNotFound(template)
        rel = "templates/" + "/".join(split_template_path(template))
        if not source_exists(self.root, rel) or (self.root / rel).is_dir():
            raise jinja2.TemplateNotFound(template)
        try:
            text = read_source(self.root, rel)
        except ContentError as err:
            raise RefusedTemplate(template, err.diagnostics) from None
        return text, str(self.root / rel), lambda: True


class Layout:
    """Renders the reader-facing page for one (language, version, page)."""

    def __init__(self, root: Path):
        loaders: list[jinja2.BaseLoader] = []
        self.root = Path(root)
        self.site_templates = Path(root) / "templates"
        self.problems: list[Diagnostic] = []
        self._overrides = None
        if self.site_templates.is_dir() and is_outside(self.root, str(self.site_templates)):
            self.problems.append(outside_diagnostic("templates"))  # never listed, never read
        elif self.site_templates.is_dir():
            self._overrides = _Overrides(self.root)
            loaders.append(self._overrides)
        loaders.append(jinja2.PackageLoader("builder.layout", "templates"))
        # Site templates come from pull requests like the content: the sandbox refuses Python
        # internals (`__class__`, `__globals__` ...) and changes to objects, so they cannot run code.
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,  # a Layout lives for one build (the dev server makes a new one per edit)
        )
        self.env.globals["icon"] = _icon
        self._check_overrides()

    def _check_overrides(self) -> None:
        """Compile the site's templates now: a broken one is reported (DB702) and not used."""
        if self._overrides is None:
            return
        for path in self.template_files():
            name = path.relative_to(self.site_templates).as_posix()
            try:
                self.env.get_template(name)
            except RefusedTemplate as err:
                self._overrides.blocked.add(name)
                self.problems.extend(err.diagnostics)
            except jinja2.TemplateError as err:
                self._overrides.blocked.add(name)
                self.problems.append(template_diagnostic(self, err, name))

    def template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name)

    def template_files(self) -> list[Path]:
        """Site template overrides (their changes affect every page)."""
        if self._overrides is None:
            return []
        return sorted(p for p in self.site_templates.rglob("*.html") if not p.is_dir())

    def render_page(self, kind: str, context: dict) -> str:
        return self.template(TEMPLATE_FOR_KIND.get(kind, "article.html")).render(context)

    def render_redirect(self, target: str, lang: str, moved: str) -> str:
        """A redirect stub. A site's `redirect.html` that fails here is a `TemplateFailure`."""
        try:
            return self.template("redirect.html").render(target=target, lang=lang, moved=moved, title=target)
        except jinja2.TemplateError as err:
            raise TemplateFailure(template_diagnostic(self, err, "redirect.html")) from None

    @staticmethod
    def static_files() -> dict[str, bytes]:
        """`_static/` files: our CSS (with code colours) and JS."""
        folder = resources.files("builder.layout").joinpath("static")
        css = folder.joinpath("style.css").read_text("utf-8") + "\n" + pygments_css()
        css += "\n" + folder.joinpath("pickers.css").read_text("utf-8") + pickers_css()
        css += "\n" + folder.joinpath("phone.css").read_text("utf-8")  # the phone header, the reader's edge pages
        return {
            "_static/style.css": css.encode("utf-8"),
            "_static/site.js": folder.joinpath("site.js").read_bytes(),
            "_static/pickers.js": folder.joinpath("pickers.js").read_bytes(),
        }


def sidebar_html(node, titles, url_of, product_title: str, expand: set[str] | None = None) -> str:
    """A product's page tree. A category is its own link followed by a disclosure toggle for its
    children (a <details> whose <summary> holds no link: nothing interactive is nested), so it
    works without JavaScript; `mark_current` marks the page and opens the categories above it.

    With `expand`, only the categories whose `rel` is in it list their children (the branch of
    the current page), so a large product does not put its whole tree into every page."""
    chevron = icon_svg("chevron-right", {"class": "nav-chevron"})

    def walk(n, depth: int) -> str:
        items = []
        for child in n.children:
            title = escape(titles(child.page))
            url = escape(url_of(child.page))
            if child.children and expand is not None and child.page.rel not in expand:
                items.append(f'<li class="nav-group nav-collapsed"><a href="{url}">{title}</a></li>')
            elif child.children:
                items.append(
                    f'<li class="nav-group"><a href="{url}">{title}</a>'
                    f'<details data-url="{url}"><summary aria-label="{title}">{chevron}</summary>'
                    f"{walk(child, depth + 1)}</details></li>"
                )
            else:
                items.append(f'<li><a href="{url}">{title}</a></li>')
        return f'<ul class="nav-level-{depth}">' + "".join(items) + "</ul>"

    return (
        f'<a class="sidebar-product" href="{escape(url_of(node.page))}">{escape(product_title)}</a>'
        + walk(node, 1)
    )


def mark_current(html: str, current_url: str, open_urls: list[str]) -> str:
    """Mark the current page and open the categories above it in cached sidebar HTML."""
    href = f'href="{escape(current_url)}"'
    html = html.replace(href + ">", href + ' aria-current="page">', 1)
    for url in open_urls:
        key = f'<details data-url="{escape(url)}">'
        html = html.replace(key, f'<details data-url="{escape(url)}" open>', 1)
    return html


def template_diagnostic(layout: "Layout", err: Exception, name: str | None = None) -> Diagnostic:
    """DB702 at the template file and line where Jinja found the problem."""
    import traceback

    line = getattr(err, "lineno", None)
    rel_name = getattr(err, "name", None) or name
    path = layout.site_templates / rel_name if rel_name else None
    if line is None and err.__traceback__ is not None:
        for frame in reversed(traceback.extract_tb(err.__traceback__)):
            if frame.filename and frame.filename.endswith(".html"):
                line, path = frame.lineno, Path(frame.filename)
                break
    site_templates = layout.site_templates.resolve()
    if path is not None and path.resolve().is_relative_to(site_templates):
        rel = "templates/" + path.resolve().relative_to(site_templates).as_posix()
    elif path is not None:  # one of docs-builder's own templates, used by a site template
        rel = f"{path.name} (docs-builder's built-in template)"
    else:
        rel = "templates"
    text = ""
    if rel.startswith("templates/"):
        try:
            text = read_source(layout.root, rel)
        except ContentError:
            pass
    elif path is not None and path.is_file():
        text = path.read_text("utf-8", errors="replace")
    message = getattr(err, "message", None) or str(err)
    if line:
        return Diagnostic(codes.TEMPLATE, f"the template cannot be used: {message}", at_line(rel, text, line, 1, 1))
    return Diagnostic(codes.TEMPLATE, f"the template cannot be used: {message}", Location(rel, 1, 1))
