"""Primer's octicons as inline SVG, built the way `@primer/octicons`' `toSVG` builds them.

The icons come from `octicons-pack`, a redistribution of the `@primer/octicons` npm package's
SVGs (most icons in a 16 px and a 24 px drawing, a few at 12, 48 or 96 px). The interface and
`{% octicon %}` both use them; the set is read on first use (a few milliseconds) and each drawing
is parsed once.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from html import escape

RENAMED = {"trashcan": "trash", "duplicate": "copy", "clippy": "paste"}
"""Names that older octicons had (GitHub Docs content still uses them) -> today's name."""

DEFAULT_HEIGHT = 16

_SVG_RE = re.compile(r'^<svg\b[^>]*?\bviewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*>(.*)</svg>\s*$', re.S)
_INT_RE = re.compile(r"^\s*[+-]?\d+")


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[int, object]]:
    """Icon name -> {natural height: the package's Icon}, heights ascending, names sorted."""
    import octicons_pack

    found: dict[str, dict[int, object]] = {}
    for value in vars(octicons_pack).values():
        if isinstance(value, octicons_pack.Icon):
            name, _, size = value.slug.rpartition("-")
            found.setdefault(name, {})[int(size)] = value
    return {name: dict(sorted(found[name].items())) for name in sorted(found)}


@lru_cache(maxsize=None)
def _drawing(name: str, height: int) -> tuple[str, str, str]:
    """(natural width, natural height, inner markup) of one drawing."""
    m = _SVG_RE.match(_index()[name][height].svg)
    if m is None:  # pragma: no cover - the package's SVGs all have a viewBox
        raise ValueError(f"octicon {name}-{height} has no viewBox")
    return m.group(1), m.group(2), m.group(3)


def icon_names() -> list[str]:
    """Every icon name, sorted (the renamed old names are not listed)."""
    return list(_index())


def icon_exists(name: str) -> bool:
    return RENAMED.get(name, name) in _index()


def _number(value) -> float:
    """JavaScript's `Number(value)` for the strings a tag gives (NaN when not a number)."""
    try:
        return float(str(value).strip() or 0)
    except ValueError:
        return math.nan


def _parse_int(value) -> float:
    """JavaScript's `parseInt(String(value))`: the leading whole number, else NaN."""
    m = _INT_RE.match(str(value))
    return float(int(m.group(0))) if m else math.nan


def _js_number(x: float) -> str:
    """A number as JavaScript prints it (`24`, `21.25`, `NaN`)."""
    if math.isnan(x):
        return "NaN"
    return str(int(x)) if x == int(x) else repr(x)


def _natural_height(heights: list[int], requested) -> int:
    """The largest drawing not taller than `requested`, else the smallest (as toSVG picks)."""
    want = _number(requested)
    chosen = heights[0]
    for height in heights:
        if height <= want:
            chosen = height
    return chosen


def icon_svg(name: str, attrs: dict[str, str] | None = None) -> str:
    """The SVG markup of an icon, as `octicons[name].toSVG(attrs)` writes it, values escaped.

    `width`/`height` scale the icon (the other follows the drawing's proportions) and pick the
    drawing drawn for that size; `class` adds classes; `aria-label` names the icon (role="img"),
    otherwise it is `aria-hidden`. Other attributes are copied in the order given."""
    name = RENAMED.get(name, name)
    sizes = _index()[name]
    options = dict(attrs or {})
    natural = _natural_height(list(sizes), options.get("height") or options.get("width") or DEFAULT_HEIGHT)
    width, height, inner = _drawing(name, natural)
    out: dict[str, str] = {
        "version": "1.1",
        "width": width,
        "height": height,
        "viewBox": f"0 0 {width} {height}",
        "class": f"octicon octicon-{name}",
        "aria-hidden": "true",
        "data-component": "Octicon",
    }
    out.update(options)
    if options.get("width") or options.get("height"):
        w, h = float(width), float(height)
        out["width"] = options.get("width") or _js_number(_parse_int(options["height"]) * w / h)
        out["height"] = options.get("height") or _js_number(_parse_int(options["width"]) * h / w)
    if options.get("class"):
        out["class"] = f"octicon octicon-{name} {options['class']}"
    if options.get("aria-label"):
        out["role"] = "img"
        out.pop("aria-hidden", None)
    return "<svg " + " ".join(f'{escape(k)}="{escape(str(v))}"' for k, v in out.items()) + f">{inner}</svg>"
