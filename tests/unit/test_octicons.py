"""`{% octicon %}` and the interface's icons: Primer's octicons, as GitHub Docs renders them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import octicons_pack
import pytest

from builder.core.icons import RENAMED, icon_names, icon_svg
from builder.liquid_tags.environment import DocsEnvironment
from builder.sources.config import load_config
from builder.sources.data import DataStore
from tests.unit.test_liquid import SITE, render_all

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def env():
    config = load_config(SITE)
    return DocsEnvironment(config, DataStore(config), config.languages[0])


def _render(env, source: str) -> str:
    outputs, diags = render_all(env, source)
    assert [d.format_text() for d in diags] == []
    (text,) = set(outputs.values())
    return text


def _attrs(svg: str) -> dict[str, str]:
    head = re.match(r"<svg ([^>]*)>", svg).group(1)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', head))


def _inner(svg: str) -> str:
    return re.match(r"<svg[^>]*>(.*)</svg>$", svg, re.S).group(1)


def test_every_primer_octicon_renders_with_its_own_drawing(env):
    names = [name for name in icon_names() if name not in RENAMED]  # Primer has a `duplicate` too
    assert len(names) > 300 and {"cache", "key-asterisk", "copilot", "kebab-horizontal"} <= set(names)
    source = " ".join(f'{{% octicon "{name}" %}}' for name in names)
    svgs = re.findall(r"<svg .*?</svg>", _render(env, source))
    assert len(svgs) == len(names)
    for name, svg in zip(names, svgs):
        attrs = _attrs(svg)
        assert attrs["class"] == f"octicon octicon-{name}"
        assert attrs["aria-label"] == re.sub(r"[^a-z0-9]+", " ", name) + " icon" and attrs["role"] == "img"
        size = 16 if octicons_pack.get_icon(f"{name}-16") else 12  # a few exist only at 12 px
        assert _inner(svg) == _inner(octicons_pack.get_icon(f"{name}-{size}").svg)


@pytest.mark.parametrize("old, new", [("trashcan", "trash"), ("duplicate", "copy"), ("clippy", "paste")])
def test_renamed_icons_take_todays_name(env, old, new):
    attrs = _attrs(_render(env, f'{{% octicon "{old}" %}}'))
    assert attrs["class"] == f"octicon octicon-{new}" and attrs["aria-label"] == f"{new} icon"


def test_the_issue_icons_and_the_copilot_icon_of_prompt_exist(env):
    text = _render(env, '{% octicon "cache" %} {% octicon "key-asterisk" label="Secret" %}')
    assert 'class="octicon octicon-cache"' in text and 'aria-label="Secret"' in text
    assert 'class="octicon octicon-copilot"' in icon_svg("copilot", {"aria-label": "Run this prompt in Copilot Chat"})


def test_toSVG_attribute_order_and_hidden_without_label():
    assert icon_svg("dot-fill").startswith(
        '<svg version="1.1" width="16" height="16" viewBox="0 0 16 16" class="octicon octicon-dot-fill" '
        'aria-hidden="true" data-component="Octicon"><path ')
    labelled = _attrs(icon_svg("dot-fill", {"aria-label": "Status"}))
    assert "aria-hidden" not in labelled and labelled["role"] == "img"


def test_height_24_picks_the_24px_drawing_and_width_follows_the_proportions():
    tall = _attrs(icon_svg("gear", {"height": "24"}))
    assert (tall["width"], tall["height"], tall["viewBox"]) == ("24", "24", "0 0 24 24")
    assert _attrs(icon_svg("gear", {"height": "23"}))["viewBox"] == "0 0 16 16"
    logo = _attrs(icon_svg("logo-github", {"height": "32"}))  # a wide drawing: 16 px high
    w, h = (float(x) for x in logo["viewBox"].split()[2:])
    assert logo["height"] == "32" and float(logo["width"]) == pytest.approx(32 * w / h) and w > h


def test_output_is_deterministic():
    first = [icon_svg(name, {"class": "x"}) for name in icon_names()]
    assert first == [icon_svg(name, {"class": "x"}) for name in icon_names()]


def test_importing_the_icons_does_not_load_the_icon_set():
    code = "import sys, builder.core.icons; print('octicons_pack' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
