"""Tool and platform pickers in a real browser: switching, the remembered choice, the default
from frontmatter and from the reader's system, the mini TOC following the choice, print, no
JavaScript, the keyboard, and the axe audit.

A small site is built for this module (pages with and without defaults); the bundled example
site's two switcher articles are audited with axe.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, build_site, checked_reader, serve, skip_without_browser
from tests.browser.test_reader import serious_violations
from tests.conftest import page, site_files, write_tree

skip_without_browser()

pytestmark = pytest.mark.browser

TOOLS_BODY = """\
Pick your way in.

{% webui %}

## Sign in with the browser

1. Open the sign-in page.

{% endwebui %}

{% cli %}

## Sign in with the CLI

Run `nim auth login`.

{% endcli %}

## Troubleshooting

Nothing to see.
"""
PLATFORMS_BODY = """\
Set the variable.

{% mac %}

Edit `~/.zshrc`.

{% endmac %}

{% windows %}

Use PowerShell.

{% endwindows %}

{% linux %}

Edit `~/.bashrc`.

{% endlinux %}
"""
PAGES = {
    "signin/index.md": page("Sign in", "", children="[/with-default, /no-default, /platforms, /mac-first, /plain]"),
    "signin/with-default.md": page("With default", TOOLS_BODY, defaultTool="cli"),
    "signin/no-default.md": page("No default", TOOLS_BODY.replace("{% endcli %}", "{% endcli %}\n\n{% desktop %}\n\nOpen the app.\n\n{% enddesktop %}")),
    "signin/platforms.md": page("Platforms", PLATFORMS_BODY),
    "signin/mac-first.md": page("Mac first", PLATFORMS_BODY, defaultPlatform="mac"),
    "signin/plain.md": page("Plain", "Nothing to choose.\n"),
}
WITH_DEFAULT = "/en/signin/with-default/"
NO_DEFAULT = "/en/signin/no-default/"
PLATFORMS = "/en/signin/platforms/"
MAC_FIRST = "/en/signin/mac-first/"


def fake_system(platform: str) -> str:
    """An init script that makes the browser report `platform` as its operating system."""
    return ("Object.defineProperty(navigator, 'userAgentData', {get: () => ({platform: %r, brands: [], mobile: false})});"
            "Object.defineProperty(navigator, 'platform', {get: () => %r});") % (platform, platform)


@pytest.fixture(scope="module")
def tool_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("tool-site")
    root, out = base / "src", base / "site"
    write_tree(root, site_files(PAGES))
    status, log = build_site(root, out, "--no-search")
    assert status == 0, log
    with serve(out) as served:
        yield served


@pytest.fixture
def treader(browser, tool_site):
    with checked_reader(browser, tool_site) as r:
        yield r


def context(reader, *, system: str = "Linux", **options):
    ctx = reader.browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    ctx.add_init_script(fake_system(system))
    reader.contexts.append(ctx)
    return ctx


def visible(page, selector: str) -> list[bool]:
    return page.locator(selector).evaluate_all("els => els.map(e => e.getClientRects().length > 0)")


def pressed(page, kind: str) -> list[str]:
    return page.locator(f'.variant-picker[data-kind="{kind}"] button[aria-pressed="true"]').all_inner_texts()


def toc(page) -> list[str]:
    return [t for t, shown in zip(page.locator(".mini-toc li").all_inner_texts(), visible(page, ".mini-toc li")) if shown]


def test_switching_tools_shows_one_variant_and_the_mini_toc_follows(treader):
    page = treader.open(WITH_DEFAULT, context=context(treader))
    picker = page.get_by_role("group", name="Tool")
    assert picker.is_visible()
    assert picker.get_by_role("button").all_inner_texts() == ["GitHub CLI", "Web browser"]
    assert pressed(page, "tool") == ["GitHub CLI"], "defaultTool: cli"
    assert visible(page, ".article-body .ghd-tool.cli") == [True]
    assert visible(page, ".article-body .ghd-tool.webui") == [False]
    assert toc(page) == ["Sign in with the CLI", "Troubleshooting"]
    picker.get_by_role("button", name="Web browser").click()
    assert pressed(page, "tool") == ["Web browser"]
    assert visible(page, ".article-body .ghd-tool.webui") == [True]
    assert visible(page, ".article-body .ghd-tool.cli") == [False]
    assert toc(page) == ["Sign in with the browser", "Troubleshooting"]
    assert page.get_by_role("button", name="GitHub CLI").get_attribute("aria-pressed") == "false"
    # every variant is still in the page (search, print): only hidden by the stylesheet
    assert "Run nim auth login." in page.locator(".article-body").text_content()


def test_the_choice_is_remembered_across_pages(treader):
    ctx = context(treader)
    page = treader.open(NO_DEFAULT, context=ctx)
    assert pressed(page, "tool") == ["Web browser"], "without a default, the web browser comes first"
    page.get_by_role("button", name="Desktop").click()
    page = treader.open(WITH_DEFAULT, context=ctx)  # a page without Desktop keeps its own default
    assert pressed(page, "tool") == ["GitHub CLI"]
    page = treader.open(NO_DEFAULT, context=ctx)
    assert pressed(page, "tool") == ["Desktop"]
    page.get_by_role("button", name="Web browser").click()
    page = treader.open(WITH_DEFAULT, context=ctx)  # the reader's choice wins over the page's default
    assert pressed(page, "tool") == ["Web browser"]
    assert visible(page, ".article-body .ghd-tool.webui") == [True]
    page = treader.open(WITH_DEFAULT + "?tool=cli", context=ctx)  # a link may ask for a variant
    assert pressed(page, "tool") == ["GitHub CLI"]


@pytest.mark.parametrize(("system", "path", "expected"), [
    ("Windows", PLATFORMS, "Windows"),
    ("macOS", PLATFORMS, "Mac"),
    ("Linux", PLATFORMS, "Linux"),
    ("Windows", MAC_FIRST, "Mac"),       # the page's defaultPlatform comes before the reader's system
])
def test_platform_default_from_the_page_or_the_readers_system(treader, system, path, expected):
    page = treader.open(path, context=context(treader, system=system))
    assert pressed(page, "platform") == [expected]
    shown = {"Mac": "mac", "Windows": "windows", "Linux": "linux"}[expected]
    for name in ("mac", "windows", "linux"):
        assert visible(page, f".article-body .ghd-tool.{name}") == [name == shown], name


def test_platform_from_the_user_agent_string(treader):
    ctx = treader.browser.new_context(user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                 "(KHTML, like Gecko) Chrome/120.0 Safari/537.36")
    treader.contexts.append(ctx)
    page = treader.open(PLATFORMS, context=ctx)
    assert pressed(page, "platform") == ["Windows"]


def test_a_link_to_a_heading_of_a_hidden_variant_shows_that_variant(treader):
    page = treader.open(WITH_DEFAULT + "#sign-in-with-the-browser", context=context(treader))
    page.wait_for_load_state("load")
    assert pressed(page, "tool") == ["Web browser"]
    assert page.locator("#sign-in-with-the-browser").is_visible()


def test_print_shows_every_variant_with_its_name(treader):
    page = treader.open(WITH_DEFAULT, context=context(treader))
    page.emulate_media(media="print")
    assert visible(page, ".article-body .ghd-tool") == [True, True]
    assert not page.locator(".variant-pickers").is_visible()
    labels = page.locator(".article-body .ghd-tool").evaluate_all(
        "els => els.map(e => getComputedStyle(e, '::before').content)")
    assert labels == ['"Web browser"', '"GitHub CLI"']


def test_without_javascript_every_variant_is_shown_and_no_picker(treader):
    ctx = treader.browser.new_context(java_script_enabled=False)
    treader.contexts.append(ctx)
    page = treader.open(WITH_DEFAULT, context=ctx)
    assert visible(page, ".article-body .ghd-tool") == [True, True]
    assert not page.locator(".variant-picker").first.is_visible()
    assert toc(page) == ["Sign in with the browser", "Sign in with the CLI", "Troubleshooting"]


def test_pickers_work_from_the_keyboard(treader):
    page = treader.open(PLATFORMS, context=context(treader, system="Linux"))
    page.get_by_role("button", name="Mac").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Windows"
    page.keyboard.press("Enter")
    assert pressed(page, "platform") == ["Windows"]
    page.keyboard.press("End")
    page.keyboard.press("Space")
    assert pressed(page, "platform") == ["Linux"]
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.textContent") == "Mac"


def test_a_page_without_variants_has_no_picker(treader):
    page = treader.open("/en/signin/plain/", context=context(treader))
    assert page.locator(".variant-picker").count() == 0
    assert page.evaluate("document.documentElement.hasAttribute('data-tool')") is False


needs_axe = pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (.ci/run installs it into .ci/node)")


@needs_axe
@pytest.mark.parametrize(("path", "scheme"), [
    ("/en/packages/learn/installing-a-package/", "light"),
    ("/fr/packages/registries/npm-registry/", "dark"),
])
def test_axe_finds_no_serious_violations_with_the_pickers(reader, path, scheme):
    page = reader.open(path, color_scheme=scheme)
    assert page.locator(".variant-picker").first.is_visible()
    page.locator(".variant-picker button").last.click()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run()")
    assert result["passes"], "axe ran no checks"
    bad = serious_violations(result)
    assert not bad, "\n".join(bad)
