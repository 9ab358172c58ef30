"""The path policy (pure): the one place that decides whether a path a source names is safe.

Everything a source file names as a path (`redirect_from`, `children`, link targets, `data`
references, file and folder names) and everything the builder writes or reads back from its own
build state passes through these functions. Content comes from pull requests and is untrusted:
a path must be a plain site path, never a way out of `--root` or `--out`, never a way into a new
line of a generated file.

Each check returns a `PathIssue` (where in the text, and why) or None; callers turn an issue into
a diagnostic at the file, line and column of the value (see docs/security.md).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class PathIssue(NamedTuple):
    offset: int
    """Where the offending text starts in the checked string."""
    length: int
    reason: str
    """Why, as the end of a sentence: `contains '..', which ...`."""


class UnsafePath(ValueError):
    """A path the builder was about to write, delete or trust that the policy refuses."""


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})?")
_NAMED = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return", "\x00": "a NUL byte"}
_FORBIDDEN_IN_SITE_PATH = '\\"\'<>`{}|^'
"""Characters that are never part of a plain site path (besides controls and whitespace)."""
_FORBIDDEN_IN_NAME = _FORBIDDEN_IN_SITE_PATH + "#?%*:"
"""Characters that are never part of a content file or folder name."""


def describe_char(ch: str) -> str:
    """`a tab`, `a space`, `U+2028`, or the character quoted."""
    if ch in _NAMED:
        return _NAMED[ch]
    if ch == " ":
        return "a space"
    if is_control(ch) or is_space(ch):
        return f"U+{ord(ch):04X}"
    return repr(ch)


def is_control(ch: str) -> bool:
    """C0 and C1 controls, DEL, line and paragraph separators, zero-width characters, and the
    bidirectional overrides and isolates that make a name or a log line read backwards."""
    code = ord(ch)
    return (code < 0x20 or 0x7F <= code < 0xA0 or ch in "\u2028\u2029\ufeff" or 0x200B <= code <= 0x200F
            or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069)

def is_space(ch: str) -> bool:
    return ch.isspace() or ch in "\u00a0\u200b"


_CONTROL_OR_SPACE = "\\x00-\\x20\\x7f-\\xa0\\u2028\\u2029\\ufeff\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\s"
_SUSPECT: dict[str, re.Pattern[str]] = {}


def _suspect(forbidden: str) -> re.Pattern[str]:
    """One pattern matching any character `_bad_char` could object to (a superset is fine: the
    exact check below runs only from the first match on), so clean paths cost one regex search."""
    pattern = _SUSPECT.get(forbidden)
    if pattern is None:
        pattern = _SUSPECT[forbidden] = re.compile(f"[{_CONTROL_OR_SPACE}{re.escape(forbidden)}]")
    return pattern


def suspect_at(text: str, forbidden: str = "") -> int:
    """Where the first character that may be a control, a space or one of `forbidden` is in
    `text`, -1 when there is none: one regex search, so callers check characters one by one only
    from there (a superset: the exact checks decide)."""
    found = _suspect(forbidden).search(text)
    return -1 if found is None else found.start()


def _bad_char(text: str, forbidden: str) -> PathIssue | None:
    first = _suspect(forbidden).search(text)
    if first is None:
        return None
    for i, ch in enumerate(text[first.start():], first.start()):
        if is_control(ch):
            return PathIssue(i, 1, f"contains a control character ({describe_char(ch)})")
        if is_space(ch):
            return PathIssue(i, 1, f"contains whitespace ({describe_char(ch)})")
        if ch in forbidden:
            return PathIssue(i, 1, f"contains {describe_char(ch)}")
    return None


def _bad_percent(text: str) -> PathIssue | None:
    """Percent-encoding may spell non-ASCII letters, never a separator, a dot, a control
    character, whitespace or another percent sign."""
    for m in _PERCENT.finditer(text):
        if m.group(1) is None:
            return PathIssue(m.start(), 1, "contains a '%' that does not start a percent-encoded byte")
        byte = int(m.group(1), 16)
        ch = chr(byte)
        if byte < 0x80 and (ch in "./\\%" or is_control(ch) or ch.isspace() or ch in _FORBIDDEN_IN_SITE_PATH):
            return PathIssue(m.start(), 3, f"contains {m.group(0)!r}, a percent-encoded {describe_char(ch)}")
    return None


def check_site_path(text: str) -> PathIssue | None:
    """A path on the site as a source writes it (`/packages/learn`, `packages/learn/`): no scheme
    or host, no `.`, `..` or empty segments, no backslash, control characters, whitespace or
    quotes, no percent-encoded forms of those. One leading and one trailing `/` are allowed.
    Query strings and fragments must be split off first."""
    if not text:
        return PathIssue(0, 1, "is empty")
    if text.startswith("//"):
        return PathIssue(0, 2, "starts with '//', which names another host")
    scheme = _SCHEME.match(text)
    if scheme:
        return PathIssue(0, scheme.end(), f"names a URL scheme ({scheme.group(0)!r})")
    issue = _bad_char(text, _FORBIDDEN_IN_SITE_PATH) or _bad_percent(text)
    if issue:
        return issue
    start = 1 if text.startswith("/") else 0
    body = text[start:]
    if body.endswith("/"):
        body = body[:-1]
    if not body:
        return None  # the home page
    offset = start
    for segment in body.split("/"):
        if segment == "":
            return PathIssue(offset, 1, "contains an empty segment ('//')")
        if segment in (".", ".."):
            return PathIssue(offset, len(segment), f"contains a {segment!r} segment; write the path it means")
        offset += len(segment) + 1
    return None


def check_name(name: str) -> PathIssue | None:
    """A file or folder name under `content/`, `data/` or `translations/`: it becomes part of a
    URL or a data path, so no controls, whitespace, quotes, `<>`, `#?%*:` or backslash."""
    if name in ("", ".", ".."):
        return PathIssue(0, max(1, len(name)), "is not a name")
    return _bad_char(name, _FORBIDDEN_IN_NAME)


def check_output_path(rel: str) -> PathIssue | None:
    """A path relative to `--out` that the builder writes, keeps or deletes, including paths read
    back from its own build state (`.build/manifest.json`): relative POSIX segments only."""
    if not rel:
        return PathIssue(0, 1, "is empty")
    if rel.startswith("/"):
        return PathIssue(0, 1, "is absolute")
    issue = _bad_char(rel, "\\")
    if issue:
        return issue
    offset = 0
    for segment in rel.split("/"):
        if segment in ("", ".", ".."):
            return PathIssue(offset, max(1, len(segment)), f"contains a {segment or '//'!r} segment")
        offset += len(segment) + 1
    return None


def safe_output_path(rel: str) -> str:
    """`rel` when `check_output_path` accepts it; `UnsafePath` otherwise."""
    issue = check_output_path(rel)
    if issue is not None:
        raise UnsafePath(f"refusing output path {rel!r}: it {issue.reason}")
    return rel


def inside(root_real: str, candidate_real: str, sep: str = "/") -> bool:
    """Whether the resolved path `candidate_real` is `root_real` or lies beneath it (both
    already resolved with `os.path.realpath`)."""
    root = root_real.rstrip(sep) or sep
    return candidate_real == root or candidate_real.startswith(root if root.endswith(sep) else root + sep)


def one_line(text: str) -> str:
    """A value for a line-based generated file (`_redirects`, nginx rules, log lines): anything
    that could end the line or hide text is shown escaped instead."""
    return "".join(ch if not (is_control(ch) or (is_space(ch) and ch != " ")) else f"\\u{ord(ch):04x}" for ch in text)


def check_site_path_decoded(text: str) -> PathIssue | None:
    """`check_site_path`, then its percent-decoded form: multi-byte percent-encoding must not
    spell a control character or whitespace either (`%E2%80%A8` is U+2028)."""
    issue = check_site_path(text)
    if issue is not None or "%" not in text:
        return issue
    from urllib.parse import unquote

    try:
        decoded = unquote(text, errors="strict")
    except UnicodeDecodeError:
        start = text.index("%")
        return PathIssue(start, len(text) - start, "contains percent-encoded bytes that are not UTF-8 text")
    for ch in decoded:
        if is_control(ch) or is_space(ch):
            kind = "control character" if is_control(ch) else "whitespace"
            return PathIssue(text.index("%"), len(text) - text.index("%"),
                             f"contains a percent-encoded {kind} ({describe_char(ch)})")
    return None


def normal_form(text: str) -> str | None:
    """What a path with `.`, `..` or empty segments means (`/a/./b` -> `/a/b`), or None when it
    climbs above the root or is still not a plain site path."""
    segments: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not segments:
                return None
            segments.pop()
            continue
        segments.append(segment)
    lead = "/" if text.startswith("/") else ""
    result = lead + "/".join(segments) if segments else "/"
    return result if result != text and check_site_path(result) is None else None


def explain(subject: str, value: str, issue: PathIssue, instead: str, *, suggest: bool = True) -> str:
    """One line naming the value, why the policy refuses it and what to write instead:
    `child '../etc' contains a '..' segment; <instead>` (the value shown escaped). With
    `suggest`, a path with `.`, `..` or empty segments gets its normal form as the advice."""
    reason = issue.reason.removesuffix("; write the path it means").replace("percent-encoded a ", "percent-encoded ")
    suggestion = normal_form(value) if suggest and "segment" in reason else None
    advice = f"write {suggestion!r} instead" if suggestion else instead
    return f"{subject} {value!r} {reason}; {advice}"


def suggest_name(name: str) -> str:
    """A name `check_name` accepts, close to `name`: whitespace becomes `-`, other refused
    characters are dropped (`my page"<1>.md` -> `my-page1.md`)."""
    out = []
    for ch in name:
        if is_space(ch):
            out.append("-")
        elif not (is_control(ch) or ch in _FORBIDDEN_IN_NAME):
            out.append(ch)
    text = re.sub(r"-{2,}", "-", "".join(out)).strip("-")
    return text if check_name(text) is None else "new-name"


_PLAIN_OUTPUT_PATH = re.compile(r"(?:(?!\.\.?/)[A-Za-z0-9._~@+=,-]+/)*(?!\.\.?\Z)[A-Za-z0-9._~@+=,-]+")
"""Relative ASCII paths of plain segments (no `.`, `..` or empty one): what `check_output_path`
accepts, recognised at once."""


def check_output_paths(paths) -> tuple[str, PathIssue] | None:
    """The first of `paths` (sorted) that `check_output_path` refuses, and why; None when it
    accepts them all. For the thousands of paths read back from build state: the plain form is
    matched by one expression, anything else goes through `check_output_path`."""
    plain = _PLAIN_OUTPUT_PATH.fullmatch
    for rel in sorted(paths):
        if not plain(rel):
            issue = check_output_path(rel)
            if issue is not None:
                return rel, issue
    return None


def check_kept_path(rel: str) -> PathIssue | None:
    """A file in `--out` that docs-builder did not write (a CNAME, say), kept as it is named: any
    name is allowed but an absolute path, `.`, `..` or empty segments and NUL bytes."""
    if rel.startswith("/"):
        return PathIssue(0, 1, "is absolute")
    if "\0" in rel:
        return PathIssue(rel.index("\0"), 1, "contains a NUL byte")
    offset = 0
    for segment in rel.split("/"):
        if segment in ("", ".", ".."):
            return PathIssue(offset, max(1, len(segment)), f"contains a {segment or '//'!r} segment")
        offset += len(segment) + 1
    return None
