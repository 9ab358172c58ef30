"""Tool, platform, rowheaders and prompt tags: their HTML (tests/cases/tools.md), the variants a
page offers, its mini TOC entries, the pickers' defaults and CSS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.core.tools import BLOCK_TAGS, PLATFORMS, TOOLS, default_platform, default_tool, detect
from builder.i18n.ui import UI
from builder.layout.pickers import picker_context, pickers_css
from builder.liquid_tags.environment import DocsEnvironment
from builder.markdown_rules.parser import render_markdown
from builder.markdown_rules.tool_blocks import Variants, tool_blocks
from builder.sources.config import load_config
from builder.sources.data import DataStore
from tests.casefile import read_cases, split_expected
from tests.unit.test_liquid import SHORT, render_all

HERE = Path(__file__).resolve().parent.parent
SITE = HERE / "sites" / "liquid"
SVG_BODY = re.compile(r'(<svg [^>]*class="octicon octicon-copilot"[^>]*>).*?</svg>', re.S)


@pytest.fixture(scope="module")
def env():
    config = load_config(SITE)
    return DocsEnvironment(config, DataStore(config), config.languages[0])


def page_html(env, source: str) -> dict[str, str]:
    """Version id -> the page's HTML after Liquid, Markdown and the tool-block pass."""
    outputs, diags = render_all(env, source)
    assert [d.format_text() for d in diags if d.is_error] == []
    return {version: tool_blocks(render_markdown(text + "\n").html)[0] for version, text in outputs.items()}


@pytest.mark.parametrize("source, expected", read_cases(HERE / "cases" / "tools.md"))
def test_tool_cases(env, source, expected):
    outputs = page_html(env, source)
    wanted = split_expected(expected)
    if "*" in wanted:
        wanted = {v: wanted["*"] for v in outputs}
    for key, text in wanted.items():
        version = SHORT.get(key, key if "@" in key else f"enterprise-server@{key}")
        got = SVG_BODY.sub(r"\1ICON</svg>", outputs[version])  # the icon's drawing is not ours to test
        assert got.strip() == text.strip(), version


def test_every_tool_and_platform_name_is_a_block_tag(env):
    names = [*TOOLS, *PLATFORMS, "rowheaders"]
    assert len(TOOLS) == 22 and list(PLATFORMS) == ["mac", "windows", "linux"]
    source = "".join(f"{{% {n} %}}{n}-text{{% end{n} %}}" for n in names)
    outputs, diags = render_all(env, source)
    assert not diags
    expected = "".join(f'<div class="ghd-tool {n}">{n}-text</div>\n' for n in names)
    assert set(outputs.values()) == {expected.strip("\n")}
    assert tuple(names) == BLOCK_TAGS


def test_tool_blocks_do_not_split_a_page_into_more_renders(env):
    from builder.liquid_tags.render import render_versions

    parsed = env.parse("{% webui %}\n\nA\n\n{% endwebui %}{% mac %}M{% endmac %}{% prompt %}p{% endprompt %}", "content/x.md")
    assert len(render_versions(env, parsed, list(env.space.versions))) == 1


def test_variants_headings_inside_blocks_are_marked_with_every_enclosing_variant():
    html = render_markdown(
        "## Before\n\n<div class=\"ghd-tool mac\">\n\n## On a Mac\n\n<div class=\"ghd-tool cli\">\n\n"
        "## Mac and CLI\n\n</div>\n</div>\n\n<div class=\"ghd-tool rowheaders\">\n\n## In a table block\n\n</div>\n\n"
        "## After\n").html
    _, variants = tool_blocks(html)
    assert variants == Variants(("cli",), ("mac",), {"on-a-mac": ("mac",), "mac-and-cli": ("mac", "cli")})


def test_detect_lists_variants_in_the_pickers_order_and_ignores_lookalikes():
    html = ('<div class="ghd-tool webui"></div><div class="ghd-tool cli"></div><div class="ghd-tool rowheaders">'
            '<span class="note platform-windows tool-curl"></span><a href="/tool-desktop">tool-vscode</a>'
            '<span class="tool-nothing platform-mac"></span>')
    assert detect(html) == (("cli", "curl", "webui"), ("mac", "windows"))
    assert detect("<p>no variants</p>") == ((), ())
    assert tool_blocks("<p>plain</p>") == ("<p>plain</p>", None)


@pytest.mark.parametrize("declared, tools, expected", [
    ("desktop", ("cli", "desktop", "webui"), "desktop"),   # the page's default, when it has it
    ("desktop", ("cli", "webui"), "webui"),                # else the web browser,
    (None, ("api", "cli", "curl"), "cli"),                 # else the CLI,
    (None, ("curl", "javascript"), "curl"),                # else the first in the pickers' order
    (["cli"], ("cli", "webui"), "webui"),                  # a malformed value is ignored (DB108 reports it)
])
def test_default_tool(declared, tools, expected):
    assert default_tool(declared, tools) == expected


def test_default_platform_is_left_to_the_browser_without_a_usable_default():
    assert default_platform("linux", ("mac", "linux")) == "linux"
    assert default_platform("windows", ("mac", "linux")) == ""
    assert default_platform(None, ("mac",)) == ""


def test_picker_context_translates_labels_and_names():
    ui = UI({"tool_picker": {"tool": "Outil", "platform": "Plateforme", "names": {"webui": "Navigateur web"}}})
    pickers = picker_context(Variants(("cli", "webui"), ("windows",)), {"defaultPlatform": "windows"}, ui)
    assert pickers == [
        {"kind": "tool", "label": "Outil", "default": "webui",
         "options": [{"id": "cli", "label": "GitHub CLI"}, {"id": "webui", "label": "Navigateur web"}]},
        {"kind": "platform", "label": "Plateforme", "default": "windows",
         "options": [{"id": "windows", "label": "Windows"}]},
    ]
    assert picker_context(None, {}, ui) == []


def test_css_hides_each_variant_not_chosen_on_screen_only():
    css = pickers_css()
    body = css.split("@media screen {", 1)[1]
    for kind, names in (("tool", TOOLS), ("platform", PLATFORMS)):
        for name in names:
            chosen = f'html[data-{kind}]:not([data-{kind}="{name}"])'
            assert f"{chosen} .ghd-tool.{name}," in body and f"{chosen} .{kind}-{name}" in body
    assert "rowheaders" not in css

