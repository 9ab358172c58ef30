"""Carets on the characters at fault inside a value (builder/core/spans.py) and the path
policy's additions for values (`check_site_path_decoded`, `normal_form`, `explain`)."""

from __future__ import annotations

import pytest

from builder.core.location import Location
from builder.core.paths import check_site_path_decoded, explain, normal_form
from builder.core.spans import narrow


def _caret(line: str, col: int, value: str, offset: int, length: int) -> str:
    loc = narrow(Location("a.md", 1, col, line, len(value)), value, offset, length)
    return line[loc.col - 1 : loc.col - 1 + loc.length]


@pytest.mark.parametrize("line, col, value, offset, length, shown", [
    ("  - /./a", 5, "/./a", 1, 1, "."),
    ('  - "/x\\n/* evil"', 5, "/x\n/* evil", 2, 1, "\\n"),
    ('  - "/x\\u2028y"', 5, "/x\u2028y", 2, 1, "\\u2028"),
    ('  - "/x\\x09y"', 5, "/x\ty", 2, 1, "\\x09"),
    ("  - '/it''s a'", 5, "/it's a", 3, 1, "''"),
    ("redirect_from: [/a, /b/../c]", 16, "/b/../c", 3, 2, ".."),
    ("intro: 'See [x](/../etc).'", 8, "/../etc", 1, 2, ".."),
    ("See [x](/\\evil).", 1, "/%5Cevil", 1, 3, "\\"),
])
def test_narrow_puts_the_caret_on_the_characters_as_written(line, col, value, offset, length, shown):
    assert _caret(line, col, value, offset, length) == shown


def test_narrow_keeps_the_location_when_the_value_is_not_on_its_line():
    loc = Location("a.md", 3, 7, "key: |", 1)
    assert narrow(loc, "/x\n/y", 2, 1) == loc
    assert narrow(None, "/x", 0, 1) is None


@pytest.mark.parametrize("text, reason", [
    ("/%E2%80%A8x", "contains a percent-encoded control character (U+2028)"),
    ("/a%C2%A0b", "contains a percent-encoded whitespace (U+00A0)"),
    ("/caf%C3%A9", None),
    ("/../x", "contains a '..' segment; write the path it means"),
])
def test_decoded_forms_are_checked_too(text, reason):
    issue = check_site_path_decoded(text)
    assert (issue.reason if issue else None) == reason


@pytest.mark.parametrize("text, meant", [
    ("/./a", "/a"), ("/a/../b", "/b"), ("a//b/", "a/b"), ("/a/..", "/"), ("/../x", None), ("/a", None),
])
def test_normal_form(text, meant):
    assert normal_form(text) == meant


def test_explain_is_one_line_and_says_what_to_write():
    message = explain("child", "/x\n/*", check_site_path_decoded("/x\n/*"), "write /a")
    assert message == "child '/x\\n/*' contains a control character (a line break); write /a"
    assert explain("link", "/a/./b", check_site_path_decoded("/a/./b"), "x") == (
        "link '/a/./b' contains a '.' segment; write '/a/b' instead")
