"""The path policy (builder/core/paths.py): what a source may name as a path."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given, strategies as st

from builder.core.paths import (UnsafePath, check_name, check_output_path, check_site_path, inside, one_line,
                                safe_output_path)

GOOD_SITE_PATHS = ["/", "/packages", "/packages/learn/", "packages/learn", "/enterprise-server@3.10/x",
                   "/caf%C3%A9", "/a_b-c.d~e"]
BAD_SITE_PATHS = [
    ("", 0, "is empty"),
    ("//evil.example/x", 0, "starts with '//'"),
    ("https://evil.example", 0, "names a URL scheme"),
    ("javascript:alert(1)", 0, "names a URL scheme"),
    ("/../../tmp/x", 1, "'..' segment"),
    ("/./a", 1, "'.' segment"),
    ("/a//b", 3, "empty segment"),
    ("/a\\b", 2, "contains '\\\\'"),
    ("/x\n/* https://evil.example 200!", 2, "a line break"),
    ("/a b", 2, "a space"),
    ("/a\tb", 2, "a tab"),
    ("/a\u2028b", 2, "U+2028"),
    ("/%2e%2e/x", 1, "percent-encoded '.'"),
    ("/a%2fb", 2, "percent-encoded '/'"),
    ("/a%0ab", 2, "percent-encoded a line break"),
    ("/a%zz", 2, "does not start a percent-encoded byte"),
    ('/a"b', 2, "'\"'"),
    ("/a<b", 2, "'<'"),
]


@pytest.mark.parametrize("path", GOOD_SITE_PATHS)
def test_plain_site_paths_pass(path):
    assert check_site_path(path) is None


@pytest.mark.parametrize("path,offset,reason", BAD_SITE_PATHS)
def test_unsafe_site_paths_are_named_at_their_offset(path, offset, reason):
    issue = check_site_path(path)
    assert issue is not None
    assert issue.offset == offset
    assert reason in issue.reason


@pytest.mark.parametrize("name", ["a b", "a\tb", 'a"b', "a<b", "a#b", "a?b", "a%b", "a\\b", "..", ""])
def test_unsafe_names(name):
    assert check_name(name) is not None


@pytest.mark.parametrize("rel", ["../x", "/etc/passwd", "a/../../b", "a//b", "a/./b", "a\\b", "a\nb", ""])
def test_unsafe_output_paths_are_refused(rel):
    assert check_output_path(rel) is not None
    with pytest.raises(UnsafePath):
        safe_output_path(rel)


def test_inside_is_by_whole_segments():
    assert inside("/srv/site", "/srv/site/a/index.html")
    assert inside("/srv/site", "/srv/site")
    assert not inside("/srv/site", "/srv/site-old/index.html")
    assert not inside("/srv/site", "/srv")


def test_one_line_never_ends_a_line():
    assert "\n" not in one_line("/x\n/* https://evil 200!\r\u2028")


@given(st.text())
def test_accepted_site_paths_stay_under_the_site(text):
    """Whatever a source writes, an accepted path normalises to segments under the root."""
    if check_site_path(text) is None:
        joined = posixpath.normpath("/site/" + text.strip("/"))
        assert joined == "/site" or joined.startswith("/site/")
        assert "\n" not in text and "\r" not in text and "\\" not in text


@given(st.text())
def test_accepted_output_paths_stay_under_out(text):
    if check_output_path(text) is None:
        assert posixpath.normpath("/out/" + text).startswith("/out/")


def test_diagnostics_show_control_characters_as_one_visible_character():
    """An escape sequence or a line separator in a source line is shown, not obeyed, and the caret
    under it stays in its column."""
    from builder.core import codes
    from builder.core.diagnostics import Diagnostic
    from builder.core.location import Location

    line = "\x1b[2J\u2028{% x %}\x85"
    text = Diagnostic(codes.LIQUID_SYNTAX, "bad \x1b[1A", Location("a.md", 1, 6, line, 5)).format_text()
    assert not any(ch in text for ch in "\x1b\u2028\x85")
    shown, caret = text.split("\n")[1:3]
    assert shown.index("{") == caret.index("^")
