"""A small bundled icon set (our own 16x16 drawings) and the SVG markup for one icon."""

from __future__ import annotations

from html import escape

_S = 'fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"'

ICONS: dict[str, str] = {
    "check": f'<path {_S} d="M2.5 8.5l3.5 3.5 7.5-8"/>',
    "x": f'<path {_S} d="M3.5 3.5l9 9M12.5 3.5l-9 9"/>',
    "plus": f'<path {_S} d="M8 2.5v11M2.5 8h11"/>',
    "dash": f'<path {_S} d="M2.5 8h11"/>',
    "info": f'<circle {_S} cx="8" cy="8" r="6.25"/><path {_S} d="M8 7.25v4"/><circle cx="8" cy="4.75" r="1" fill="currentColor"/>',
    "question": f'<circle {_S} cx="8" cy="8" r="6.25"/><path {_S} d="M6.1 6.2a2 2 0 1 1 2.7 1.9c-.5.2-.8.6-.8 1.1v.3"/><circle cx="8" cy="11.6" r=".9" fill="currentColor"/>',
    "alert": f'<path {_S} d="M8 1.75l6.5 11.5H1.5z"/><path {_S} d="M8 6v3.5"/><circle cx="8" cy="11.4" r=".9" fill="currentColor"/>',
    "report": f'<path {_S} d="M2 2.5h12v8.5H8l-3 2.5V11H2z"/><path {_S} d="M8 4.75v3"/><circle cx="8" cy="9.4" r=".8" fill="currentColor"/>',
    "stop": f'<path {_S} d="M5.5 1.75h5l3.75 3.75v5l-3.75 3.75h-5L1.75 10.5v-5z"/><path {_S} d="M8 4.75v3.5"/><circle cx="8" cy="10.9" r=".9" fill="currentColor"/>',
    "light-bulb": f'<path {_S} d="M5.25 10.25C4 9.25 3.25 7.9 3.25 6.5a4.75 4.75 0 0 1 9.5 0c0 1.4-.75 2.75-2 3.75v1.5h-5.5z"/><path {_S} d="M6 14.25h4"/>',
    "copy": f'<rect {_S} x="5.25" y="5.25" width="9" height="9" rx="1.5"/><path {_S} d="M10.75 2.75v-.25a1 1 0 0 0-1-1h-7a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.25"/>',
    "paste": f'<rect {_S} x="2.75" y="2.75" width="10.5" height="12" rx="1.5"/><path {_S} d="M5.75 1.5h4.5v2.5h-4.5z"/>',
    "link": f'<path {_S} d="M6.75 9.25a2.75 2.75 0 0 0 3.9 0l2.35-2.35a2.75 2.75 0 0 0-3.9-3.9l-.85.85"/><path {_S} d="M9.25 6.75a2.75 2.75 0 0 0-3.9 0L3 9.1a2.75 2.75 0 0 0 3.9 3.9l.85-.85"/>',
    "link-external": f'<path {_S} d="M9.5 2.25h4.25V6.5M13.5 2.5L7.5 8.5"/><path {_S} d="M12 9.5v3.25a1 1 0 0 1-1 1H3.25a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1H6.5"/>',
    "git-branch": f'<circle {_S} cx="4.5" cy="3.5" r="1.75"/><circle {_S} cx="4.5" cy="12.5" r="1.75"/><circle {_S} cx="11.5" cy="4.5" r="1.75"/><path {_S} d="M4.5 5.25v5.5M11.5 6.25c0 3-7 2-7 4.5"/>',
    "gear": f'<circle {_S} cx="8" cy="8" r="2.25"/><path {_S} d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4"/>',
    "three-bars": f'<path {_S} d="M2 4h12M2 8h12M2 12h12"/>',
    "kebab-horizontal": '<circle cx="3" cy="8" r="1.4" fill="currentColor"/><circle cx="8" cy="8" r="1.4" fill="currentColor"/><circle cx="13" cy="8" r="1.4" fill="currentColor"/>',
    "search": f'<circle {_S} cx="7" cy="7" r="4.75"/><path {_S} d="M10.5 10.5l3.75 3.75"/>',
    "sun": f'<circle {_S} cx="8" cy="8" r="3"/><path {_S} d="M8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1.1 1.1M11.9 11.9L13 13M3 13l1.1-1.1M11.9 4.1L13 3"/>',
    "moon": f'<path {_S} d="M13.5 9.75A6 6 0 0 1 6.25 2.5a6 6 0 1 0 7.25 7.25z"/>',
    "globe": f'<circle {_S} cx="8" cy="8" r="6.25"/><path {_S} d="M1.75 8h12.5M8 1.75c-2.25 2.5-2.25 10 0 12.5M8 1.75c2.25 2.5 2.25 10 0 12.5"/>',
    "package": f'<path {_S} d="M8 1.5l6 3v7l-6 3-6-3v-7z"/><path {_S} d="M2 4.5l6 3 6-3M8 7.5v7"/>',
    "lock": f'<rect {_S} x="2.75" y="7" width="10.5" height="7.25" rx="1.25"/><path {_S} d="M5 7V5a3 3 0 0 1 6 0v2"/>',
    "key": f'<circle {_S} cx="5" cy="11" r="3"/><path {_S} d="M7.25 8.75l6.5-6.5M11.5 4.5l1.75 1.75"/>',
    "shield": f'<path {_S} d="M8 1.5l5.5 2v4c0 3.5-2.5 6-5.5 7-3-1-5.5-3.5-5.5-7v-4z"/>',
    "eye": f'<path {_S} d="M1.25 8S3.75 3.25 8 3.25 14.75 8 14.75 8 12.25 12.75 8 12.75 1.25 8 1.25 8z"/><circle {_S} cx="8" cy="8" r="2"/>',
    "pencil": f'<path {_S} d="M11 2.25l2.75 2.75-8.5 8.5H2.5v-2.75z"/>',
    "trash": f'<path {_S} d="M2.5 4h11M6 4V2.5h4V4M4 4l.75 9.75h6.5L12 4"/>',
    "chevron-down": f'<path {_S} d="M3.5 6l4.5 4.5L12.5 6"/>',
    "chevron-right": f'<path {_S} d="M6 3.5l4.5 4.5L6 12.5"/>',
    "triangle-down": '<path d="M4 6h8l-4 5z" fill="currentColor"/>',
    "arrow-right": f'<path {_S} d="M2.5 8h11M9 3.5L13.5 8 9 12.5"/>',
    "arrow-left": f'<path {_S} d="M13.5 8h-11M7 3.5L2.5 8 7 12.5"/>',
    "download": f'<path {_S} d="M8 2v8.5M4.5 7L8 10.5 11.5 7M2.5 13.75h11"/>',
    "upload": f'<path {_S} d="M8 13.75V5.25M4.5 8.75L8 5.25l3.5 3.5M2.5 2.25h11"/>',
    "code": f'<path {_S} d="M5.5 4L1.75 8 5.5 12M10.5 4l3.75 4-3.75 4"/>',
    "terminal": f'<rect {_S} x="1.5" y="2.5" width="13" height="11" rx="1.5"/><path {_S} d="M4.5 6l2 2-2 2M8.5 10.5h3"/>',
    "file": f'<path {_S} d="M3.5 1.5h6l3 3v10h-9z"/><path {_S} d="M9.5 1.5v3h3"/>',
    "file-directory": f'<path {_S} d="M1.75 3.25h4.5l1.5 1.5h6.5v8.5H1.75z"/>',
    "repo": f'<path {_S} d="M3 2.5a1 1 0 0 1 1-1h9v10.5H4a1 1 0 0 0-1 1zM3 12.5a1 1 0 0 0 1 1h9"/>',
    "book": f'<path {_S} d="M1.75 3h4a2.25 2.25 0 0 1 2.25 2.25v8.5A1.75 1.75 0 0 0 6.25 12h-4.5zM14.25 3h-4A2.25 2.25 0 0 0 8 5.25v8.5A1.75 1.75 0 0 1 9.75 12h4.5z"/>',
    "home": f'<path {_S} d="M2 7.5L8 2l6 5.5M3.75 6.25v7.5h8.5v-7.5"/>',
    "person": f'<circle {_S} cx="8" cy="5" r="2.75"/><path {_S} d="M2.75 14.25a5.25 5.25 0 0 1 10.5 0"/>',
    "people": f'<circle {_S} cx="5.5" cy="5.5" r="2.25"/><circle {_S} cx="11" cy="6" r="1.75"/><path {_S} d="M1.5 13.5a4 4 0 0 1 8 0M10 10.25a3.25 3.25 0 0 1 4.5 3"/>',
    "organization": f'<path {_S} d="M1.75 14.25V2.75h7v11.5M8.75 6.75h5.5v7.5M4 5.5h2.5M4 8.5h2.5M4 11.5h2.5M11 9.5h1M11 12h1"/>',
    "tag": f'<path {_S} d="M1.75 2.75v5l6.5 6.5 5.5-5.5-6.5-6.5h-5z"/><circle cx="5" cy="5.5" r="1" fill="currentColor"/>',
    "bell": f'<path {_S} d="M3.5 11.5V7a4.5 4.5 0 0 1 9 0v4.5l1 1.25h-11z"/><path {_S} d="M6.5 14.25h3"/>',
    "play": f'<path {_S} d="M4.5 2.5v11L13 8z"/>',
    "law": f'<path {_S} d="M8 1.75v12.5M4.5 14.25h7M2.5 4h11M2.5 4l-1.5 4a2 2 0 0 0 3 0zM13.5 4l-1.5 4a2 2 0 0 0 3 0z"/>',
    "mark-github": f'<circle {_S} cx="8" cy="8" r="6.5"/><path {_S} d="M6 14v-2.5c-2 .25-3-1-3.25-2M10 14v-2.5c0-.75-.25-1.25-.75-1.5 1.75-.25 3-1.25 3-3.25 0-.75-.25-1.5-.75-2 .1-.6 0-1.2-.2-1.7-.7 0-1.35.35-1.9.75a6 6 0 0 0-2.8 0C6.05 3.4 5.4 3.05 4.7 3.05c-.2.5-.3 1.1-.2 1.7-.5.5-.75 1.25-.75 2 0 2 1.25 3 3 3.25"/>',
    "copilot": f'<rect {_S} x="2" y="5" width="12" height="8.5" rx="3"/><circle cx="6" cy="9.25" r="1" fill="currentColor"/><circle cx="10" cy="9.25" r="1" fill="currentColor"/><path {_S} d="M5 5V3.5M11 5V3.5"/>',
    "sync": f'<path {_S} d="M13.25 6.5A5.5 5.5 0 0 0 3 5M2.75 9.5A5.5 5.5 0 0 0 13 11"/><path {_S} d="M3 2v3h3M13 14v-3h-3"/>',
    "history": f'<circle {_S} cx="8" cy="8" r="6.25"/><path {_S} d="M8 4.5V8l2.5 1.5"/>',
}

RENAMED = {"trashcan": "trash", "duplicate": "copy", "clippy": "paste"}


def icon_exists(name: str) -> bool:
    return RENAMED.get(name, name) in ICONS


def icon_svg(name: str, attrs: dict[str, str] | None = None) -> str:
    """SVG markup for an icon; `attrs` may set width, height, aria-label, class."""
    name = RENAMED.get(name, name)
    attrs = dict(attrs or {})
    width = attrs.pop("width", attrs.pop("height", "16"))
    label = attrs.pop("aria-label", None) or attrs.pop("label", None)
    extra_class = attrs.pop("class", "")
    parts = [
        'version="1.1"',
        f'width="{escape(width)}"',
        f'height="{escape(width)}"',
        'viewBox="0 0 16 16"',
        f'class="octicon octicon-{escape(name)}{" " + escape(extra_class) if extra_class else ""}"',
    ]
    if label:
        parts.append(f'aria-label="{escape(label)}" role="img"')
    else:
        parts.append('aria-hidden="true"')
    for key, value in sorted(attrs.items()):
        parts.append(f'{escape(key)}="{escape(value)}"')
    return f"<svg {' '.join(parts)}>{ICONS[name]}</svg>"
