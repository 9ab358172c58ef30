"""Primer's octicons in a real browser: drawn in the text's colour in both themes, named for
screen readers when the content labels them, hidden from them when they only decorate."""

from __future__ import annotations

import pytest

from tests.browser.conftest import skip_without_browser

skip_without_browser()

pytestmark = pytest.mark.browser

PAGE = "/en/packages/registries/container-registry/"  # {% octicon "gear" aria-label="Settings" %}

STYLE = """el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
  return {fill: s.fill, color: s.color, width: r.width, height: r.height}; }"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_octicons_are_drawn_in_the_text_colour_and_named_only_when_labelled(reader, scheme):
    page = reader.open(PAGE, color_scheme=scheme)
    gear = page.get_by_role("img", name="Settings")
    assert gear.get_attribute("class") == "octicon octicon-gear"
    content = gear.evaluate(STYLE)
    assert content["fill"] == content["color"] and (content["width"], content["height"]) == (16, 16)
    toggle = page.locator("button.theme-toggle svg.octicon:visible")
    interface = toggle.evaluate(STYLE)
    assert interface["fill"] == interface["color"]
    if scheme == "dark":
        assert interface["fill"] != "rgb(0, 0, 0)", "a black icon on the dark theme"
    assert toggle.get_attribute("aria-hidden") == "true"
    assert page.locator("main svg.octicon:not([aria-hidden])").count() == page.locator("main svg[role=img]").count()
