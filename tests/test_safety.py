"""Safety: text is escaped where it is not meant as HTML, nothing loads from another origin,
and no input, however nasty, gets a traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO, page, run_cli, site_files, write_tree

# A tiny DOM ------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def find_all(self, tag: str | None = None, **attrs: str) -> list["Node"]:
        def match(n: Node) -> bool:
            if tag and n.tag != tag:
                return False
            for key, value in attrs.items():
                have = n.attrs.get(key.rstrip("_").replace("_", "-"))
                if have is None or (value not in have.split() and value != have):
                    return False
            return True

        return [n for n in self.walk() if match(n)]

    def find(self, tag: str | None = None, **attrs: str) -> "Node":
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}> in the page"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# 1. Escaping ------------------------------------------------------------------------------

def payload(where: str) -> str:
    return f'<script>alert("{where}")</script> "><img src=x onerror=alert("{where}")>'


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


VERSIONS = "{fpt: '*', ghes: '*'}"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    files = {
        "data/versions.yml": (
            "plans:\n"
            f"  - {{short: fpt, name: free-pro-team, title: {_yaml_quote('Free ' + payload('plan'))}}}\n"
            f"  - {{short: ghes, name: enterprise-server, title: {_yaml_quote('Server ' + payload('plan'))}, releases: ['3.10', '3.9']}}\n"
        ),
        "data/languages.yml": (f"en: {{name: {_yaml_quote('English ' + payload('language'))}}}\n"
                               f"fr: {{name: {_yaml_quote('French ' + payload('language'))}, dir: translations/fr}}\n"),
        "translations/fr/content/.keep": "",
        "data/ui.yml": (
            f"search: {{placeholder: {_yaml_quote('Find ' + payload('ui'))}}}\n"
            f"pages: {{miniToc: {_yaml_quote('On this page ' + payload('ui'))}}}\n"
        ),
        "data/variables/product.yml": f"name: {_yaml_quote('Nimbus ' + payload('variable'))}\n",
        "content/index.md": page(_yaml_quote("Home " + payload("home")), "", versions=VERSIONS, children="[/prod]"),
        "content/prod/index.md": page(_yaml_quote("Product " + payload("product")), "", versions=VERSIONS,
                                      children="[/guide]", intro=_yaml_quote("Product intro " + payload("intro"))),
        "content/prod/guide.md": page(
            _yaml_quote("Guide " + payload("title") + " {% data variables.product.name %}"),
            'Body with <span class="raw-html">raw HTML</span> kept.\n\n## First part\n\nText.\n',
            versions=VERSIONS,
            shortTitle=_yaml_quote("Short " + payload("short")),
            intro=_yaml_quote("Intro " + payload("intro") + " {% data variables.product.name %}"),
        ),
    }
    write_tree(root, files)
    result = run_cli("build", "--root", str(root), "--no-search")
    assert result.status == 0, result.stderr
    return root / "site"


def _built_pages(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    assert pages
    return pages


def test_no_injected_script_or_handler_in_any_built_page(hostile_site):
    for path in _built_pages(hostile_site):
        doc = parse_html(path.read_text("utf-8"))
        for node in doc.walk():
            if node.tag == "script":
                assert "alert(" not in node.text(), f"{path}: an injected <script> runs"
            handlers = [name for name in node.attrs if name.startswith("on")]
            assert not handlers, f"{path}: <{node.tag}> has event handler attributes {handlers}"
            if node.tag == "img":
                assert node.attrs.get("src") != "x", f"{path}: an injected <img> was parsed as HTML"


def test_text_is_shown_as_text_where_it_is_not_meant_as_html(hostile_site):
    doc = parse_html((hostile_site / "en" / "prod" / "guide" / "index.html").read_text("utf-8"))
    title = "Guide " + payload("title") + " Nimbus " + payload("variable")
    assert doc.find("title").text().startswith(title)
    assert doc.find("h1").text().strip() == title
    meta = doc.find("meta", name="description").attrs["content"]
    assert meta.startswith("Intro " + payload("intro") + " Nimbus " + payload("variable"))
    assert ("Product " + payload("product")) in doc.find("nav", class_="breadcrumbs").text()
    sidebar = doc.find("nav", id="sidebar").text()
    assert "Short " + payload("short") in sidebar
    assert "Product " + payload("product") in sidebar
    pickers = " ".join(n.text() for n in doc.find_all("details", class_="picker"))
    assert "Free " + payload("plan") in pickers
    assert "Server " + payload("plan") in pickers
    assert doc.find("input", type="search").attrs["placeholder"] == "Find " + payload("ui")
    assert ("On this page " + payload("ui")) in doc.find("h2", class_="mini-toc-title").text()
    home = parse_html((hostile_site / "en" / "index.html").read_text("utf-8"))
    assert ("Product " + payload("product")) in home.find("main").text()


def test_raw_html_in_the_markdown_body_is_kept(hostile_site):
    doc = parse_html((hostile_site / "en" / "prod" / "guide" / "index.html").read_text("utf-8"))
    assert doc.find("span", class_="raw-html").text() == "raw HTML"


def test_broken_translated_liquid_cannot_close_the_fallback_comment(tmp_path):
    """The fallback comment quotes the Liquid error, which quotes the translator's text."""
    files = site_files({"a.md": page("A", "Hello\n", versions="{fpt: '*'}")})
    files["data/languages.yml"] = "en: {name: English}\nfr: {name: French, dir: translations/fr}\n"
    files["translations/fr/content/a.md"] = page(
        "A", "Bonjour {% data ---><img src=x onerror=alert(1)> %}\n", versions="{fpt: '*'}")
    root = write_tree(tmp_path / "src", files)
    result = run_cli("build", "--root", str(root), "--no-search")
    assert result.status == 0, result.stderr
    html = (root / "site" / "fr" / "a" / "index.html").read_text("utf-8")
    assert "TRANSLATION_FALLBACK" in html
    assert not parse_html(html).find_all("img"), "text from a translation became HTML"


# 2. Nothing loads from another origin -------------------------------------------------------

LOADING = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
           "frame": ("src",), "embed": ("src",), "object": ("data",), "video": ("src", "poster"),
           "audio": ("src",), "track": ("src",), "input": ("src",), "link": ("href", "imagesrcset")}
NOT_LOADED_LINKS = {"canonical", "alternate", "next", "prev", "author", "license", "help"}
XML_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink")


def _external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:"))


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    result = run_cli("build", "--root", str(REPO), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr[-3000:]
    return out


def test_nothing_in_the_example_site_loads_from_another_origin(example_site):
    problems = []
    for path in _built_pages(example_site):
        doc = parse_html(path.read_text("utf-8"))
        for node in doc.walk():
            if node.tag == "link" and set((node.attrs.get("rel") or "").lower().split()) <= NOT_LOADED_LINKS \
                    and node.attrs.get("rel"):
                continue
            for attr in LOADING.get(node.tag, ()):
                for url in (node.attrs.get(attr) or "").split(","):
                    if url.strip() and _external(url.split()[0]):
                        problems.append(f"{path.relative_to(example_site)}: <{node.tag} {attr}={url!r}>")
            style = node.attrs.get("style") or ""
            if "url(" in style and any(_external(u) for u in style.split("url(")[1:]):
                problems.append(f"{path.relative_to(example_site)}: style {style!r}")
            if node.tag == "style" and ("@import" in node.text() or "url(http" in node.text()):
                problems.append(f"{path.relative_to(example_site)}: <style> loads {node.text()[:80]!r}")
            if node.tag == "script" and not node.attrs.get("src"):
                code = node.text()
                for namespace in XML_NAMESPACES:
                    code = code.replace(namespace, "")
                assert "http://" not in code and "https://" not in code, f"{path}: an inline script reaches out"
            if node.tag == "meta" and (node.attrs.get("http-equiv") or "").lower() == "refresh":
                assert not _external((node.attrs.get("content") or "").split("url=")[-1]), path
    assert not problems, "\n".join(problems[:20])


def test_static_files_load_nothing_from_another_origin(example_site):
    files = sorted(p for p in (example_site / "_static").rglob("*") if p.suffix in (".css", ".js"))
    assert files
    for path in files:
        text = path.read_text("utf-8")
        if path.suffix == ".css":
            assert "@import" not in text, path
        for part in text.split("url(")[1:]:
            assert not _external(part.strip("'\" ")), f"{path.name}: url({part[:60]}"
        if path.suffix == ".js":
            for namespace in XML_NAMESPACES:  # names, not addresses: nothing is loaded from them
                text = text.replace(namespace, "")
            assert "http://" not in text and "https://" not in text, f"{path.name} reaches another origin"


# 3. No traceback, whatever the tree ----------------------------------------------------------

ARTICLE = page("A", "Body\n", versions="{fpt: '*'}")
HOME_AB = page("Home", "", children="[/a, /b]")


def _tree_binary_page(root: Path) -> None:
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "a.md").write_bytes(bytes(range(256)) * 64)


def _tree_binary_data(root: Path) -> None:
    write_tree(root, site_files({"a.md": page("A", "{% data reusables.x %} {% data variables.p.k %}\n",
                                               versions="{fpt: '*'}")}))
    for rel in ("data/reusables/x.md", "data/variables/p.yml", "data/features/f.yml", "data/ui.yml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"\x00\xff\xfe" * 100)


def _tree_index_is_a_directory(root: Path) -> None:
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "index.md").unlink()
    (root / "content" / "index.md").mkdir()
    (root / "content" / "index.md" / "x.md").write_text(ARTICLE, "utf-8")


def _tree_child_index_is_a_directory(root: Path) -> None:
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "b" / "index.md").mkdir(parents=True)
    (root / "content" / "index.md").write_text(HOME_AB, "utf-8")


def _tree_page_links_to_dev_null(root: Path) -> None:
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "index.md").write_text(HOME_AB, "utf-8")
    os.symlink("/dev/null", root / "content" / "b.md")


def _tree_reusable_links_to_dev_null(root: Path) -> None:
    write_tree(root, site_files({"a.md": page("A", "{% data reusables.null %}\n", versions="{fpt: '*'}")}))
    (root / "data" / "reusables").mkdir(parents=True)
    os.symlink("/dev/null", root / "data" / "reusables" / "null.md")


def _tree_huge_frontmatter(root: Path) -> None:
    keys = "".join(f"ms.key{i}: value {i}\n" for i in range(50_000))
    text = "---\ntitle: A\nversions: {fpt: '*'}\nintro: '" + "x" * 200_000 + "'\n" + keys + "---\nBody\n"
    write_tree(root, site_files({"a.md": text}))


def _tree_children_not_strings(root: Path) -> None:
    home = "---\ntitle: Home\nversions: {fpt: '*'}\nchildren: [/a, 1, null, {x: y}, [/a], true, 1.5, '']\n---\n"
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "index.md").write_text(home, "utf-8")


def _tree_children_deeply_nested(root: Path) -> None:
    home = "---\ntitle: Home\nversions: {fpt: '*'}\nchildren: " + "[" * 500 + "/a" + "]" * 500 + "\n---\n"
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "index.md").write_text(home, "utf-8")


def _tree_yaml_alias_bomb(root: Path) -> None:
    bomb = "\n".join(f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9))
    text = ("---\ntitle: A\nversions: {fpt: '*'}\nintroLinks:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
            + bomb + "\ntopics: *l8\nredirect_from: *l8\nchildren: *l8\n---\nBody\n")
    write_tree(root, site_files({"a.md": text}))


def _tree_dangling_symlink_page(root: Path) -> None:
    write_tree(root, site_files({"a.md": ARTICLE}))
    (root / "content" / "index.md").write_text(HOME_AB, "utf-8")
    os.symlink("nowhere.md", root / "content" / "b.md")


def _tree_self_symlink_page(root: Path) -> None:
    write_tree(root, site_files({"a.md": ARTICLE}))
    os.symlink("b.md", root / "content" / "b.md")


NASTY_TREES = [
    pytest.param(_tree_binary_page, id="binary junk as a page"),
    pytest.param(_tree_binary_data, id="binary junk as reusable, variables, feature and ui.yml"),
    pytest.param(_tree_index_is_a_directory, id="a directory named content/index.md"),
    pytest.param(_tree_child_index_is_a_directory, id="a directory named content/b/index.md"),
    pytest.param(_tree_page_links_to_dev_null, id="a page that is a symlink to /dev/null"),
    pytest.param(_tree_reusable_links_to_dev_null, id="a reusable that is a symlink to /dev/null"),
    pytest.param(_tree_huge_frontmatter, id="a huge frontmatter"),
    pytest.param(_tree_children_not_strings, id="children that are not strings"),
    pytest.param(_tree_children_deeply_nested, id="children nested 500 lists deep"),
    pytest.param(_tree_yaml_alias_bomb, id="a YAML alias bomb in the frontmatter"),
    pytest.param(_tree_dangling_symlink_page, id="a page that is a dangling symlink"),
    pytest.param(_tree_self_symlink_page, id="a page that is a symlink to itself"),
]


@pytest.mark.parametrize("make_tree", NASTY_TREES)
@pytest.mark.parametrize("command", ["check", "build"])
def test_no_traceback_for_nasty_trees(tmp_path, make_tree, command):
    root = tmp_path / "src"
    make_tree(root)
    started = time.monotonic()
    result = run_cli(command, "--root", str(root), *(["--no-search"] if command == "build" else []))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.status in (0, 1, 2), output[-2000:]
    assert "internal error" not in output
    assert time.monotonic() - started < 20


def test_many_unknown_keys_are_reported_in_bounded_time(tmp_path):
    """800 unknown keys give 800 diagnostics; each must not re-read the whole file."""
    keys = "".join(f"key{i}: {i}\n" for i in range(800))
    write_tree(tmp_path, site_files({"a.md": "---\ntitle: A\nversions: {fpt: '*'}\n" + keys + "---\nBody\n"}))
    started = time.monotonic()
    result = run_cli("check", "--root", str(tmp_path))
    seconds = time.monotonic() - started
    assert result.status == 1 and result.stderr.count("error[DB106]") == 800
    assert seconds < 1, f"{seconds:.1f}s"


# Inputs that would hang or exhaust memory run in a child process with limits.

def _limited():
    limit = 700 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run_limited(root: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder", "check", "--root", str(root)], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_limited, cwd=REPO)


def test_a_fifo_under_content_does_not_hang(tmp_path):
    write_tree(tmp_path, site_files({"a.md": ARTICLE}))
    os.mkfifo(tmp_path / "content" / "b.md")
    result = _run_limited(tmp_path, timeout=5)
    assert result.returncode in (0, 1, 2) and "internal error" not in result.stderr


def test_a_symlink_to_dev_zero_does_not_exhaust_memory(tmp_path):
    write_tree(tmp_path, site_files({"a.md": ARTICLE}))
    os.symlink("/dev/zero", tmp_path / "content" / "z.md")
    result = _run_limited(tmp_path, timeout=30)
    assert result.returncode in (0, 1, 2), result.stderr[-500:]
    assert "internal error" not in result.stderr
