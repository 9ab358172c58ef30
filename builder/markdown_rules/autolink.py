"""GFM autolinks (`www.`, `http(s)://`, `mailto:`/`xmpp:`, bare emails) in linear time.

The results are those of GitHub's autolink extension (as in mdit-py-plugins' `gfm_autolink`,
which this replaces), but that plugin does work proportional to the rest of the line at every
`:`, `@` and `www.` (it copies the rest of the line, searches all pending text for a protocol,
recounts parentheses for each trailing `)`), so one 200 KB line of `a:b a:b ...` took minutes.
Here every scan works on offsets in the source and is bounded:

- a protocol is looked for only in the last characters before the `:`;
- a URL ends at the first space or `<` (the extension cuts URLs at `<`), so a scan never runs
  over text that a later scan reads again;
- a domain is at most 253 characters (the DNS limit): a longer run is not a domain, which
  bounds the scan of a `www.` that turns out not to be a link;
- in validation mode (inside link labels) the rules report no match without scanning, as the
  plugin's did after scanning;
- parentheses are counted once per URL while trailing ones are trimmed.
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

MAX_DOMAIN = 253
_PROTOCOLS = ("https", "http", "mailto", "xmpp")
_VALID_PREV = frozenset(" \t\r\n*_~(")
_SPACES = frozenset(" \t\r\n\x00\x0b\x0c")
_TRAILING = frozenset("?!.,:*_~'\"[]")
_EMAIL_LOCAL = frozenset(".+-_")


def autolink_plugin(md: MarkdownIt) -> None:
    md.inline.add_terminator_char("w")
    md.inline.ruler.push("autolink_www", _www_rule)
    md.inline.ruler.push("autolink_protocol", _protocol_rule)
    md.inline.ruler.push("autolink_email", _email_rule)


# Scanning (offsets into the source) ------------------------------------------------------


def _hostchar(ch: str) -> bool:
    return not ch.isspace() and not unicodedata.category(ch).startswith("P")


_ASCII_RUN = re.compile("[" + re.escape("".join(
    c for c in map(chr, range(128)) if c in "._-" or _hostchar(c))) + "]*")
"""A run of ASCII characters that a domain scan goes over (at C speed)."""


def _run_end(src: str, start: int, limit: int) -> int:
    """The end of the run of host characters, `.`, `_` and `-` at `start` (at most `limit`)."""
    pos = start
    while True:
        pos = _ASCII_RUN.match(src, pos, limit).end()
        if pos < limit and not src[pos].isascii() and _hostchar(src[pos]):
            pos += 1
            continue
        return pos


def _domain_end(src: str, start: int, end: int, allow_short: bool) -> int | None:
    """Where the domain starting at `start` ends, or None when there is none."""
    if start >= end:
        return None
    stop = _run_end(src, start, min(end, start + MAX_DOMAIN + 1))
    if stop - start > MAX_DOMAIN:
        return None
    run = src[start:stop]
    periods = run.count(".")
    last = run.rfind(".")
    under_last = run.count("_", last + 1)
    under_before = run.count("_", run.rfind(".", 0, last) + 1, last) if last != -1 else 0
    if stop < end:  # stopped at a character that ends the domain
        if under_before == 0 and under_last == 0 and (allow_short or periods > 0):
            return stop
        return None
    if (under_before or under_last) and periods <= 10:
        return None
    return end if allow_short or periods > 0 else None


def _trim(src: str, base: int, end: int) -> int:
    """`end` moved back over trailing punctuation, entities and unbalanced `)`."""
    opening, closing = src.count("(", base, end), src.count(")", base, end)
    while end > base:
        ch = src[end - 1]
        if ch in _TRAILING:
            end -= 1
        elif ch == ";":
            back = end - 2
            while back > base and src[back].isalpha():
                back -= 1
            end = back if back < end - 2 and src[back] == "&" else end - 1
        elif ch == ")" and closing > opening:
            closing -= 1
            end -= 1
        else:
            break
    return end


def _url_end(src: str, base: int, domain: int, end: int, allow_short: bool) -> int | None:
    """The end of the URL that starts at `base` and whose domain starts at `domain`."""
    domain_end = _domain_end(src, domain, end, allow_short)
    if domain_end is None:
        return None
    cut = src.find("<", base, domain_end)
    if cut != -1:
        return _trim(src, base, cut)
    stop = domain_end
    while stop < end and src[stop] not in _SPACES and src[stop] != "<":
        stop += 1
    return _trim(src, base, stop)


def _email_end(src: str, start: int, end: int, xmpp: bool) -> int | None:
    """The end of `local@domain` starting at `start` (after `mailto:` or `xmpp:`)."""
    pos = start
    while pos < end:
        ch = src[pos]
        if ch == "@":
            break
        if not (ch.isascii() and (ch.isalnum() or ch in _EMAIL_LOCAL)):
            return None
        pos += 1
    if pos == start:
        return None
    link_end, periods, slashes = pos + 1, 0, 0
    while link_end < end:
        ch = src[link_end]
        if ch.isascii() and ch.isalnum():
            pass
        elif ch == "@":
            if not xmpp:
                return None
        elif ch == "." and link_end < end - 1 and src[link_end + 1].isascii() and src[link_end + 1].isalnum():
            periods += 1
        elif ch == "/" and xmpp and slashes == 0:
            slashes += 1
        elif ch != "-" and ch != "_":
            break
        link_end += 1
    if periods == 0:
        return None
    last = src[link_end - 1]
    if not (last.isascii() and last.isalpha()) and last != ".":
        return None
    return link_end


# Inline rules ----------------------------------------------------------------------------


def _preceding_ok(state: StateInline, back: int) -> bool:
    at = state.pos - back
    return at <= 0 or state.src[at - 1] in _VALID_PREV


def _push_link(state: StateInline, back: int, length: int, url: str, text: str) -> bool:
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if back:
        state.pending = state.pending[:-back]
    token = state.push("link_open", "a", 1)
    token.attrs = {"href": full_url}
    token.markup = "autolink"
    token.info = "auto"
    token = state.push("text", "", 0)
    token.content = state.md.normalizeLinkText(text)
    token = state.push("link_close", "a", -1)
    token.markup = "autolink"
    token.info = "auto"
    state.pos += length - back
    return True


def _www_rule(state: StateInline, silent: bool) -> bool:
    pos, src = state.pos, state.src
    if silent or state.linkLevel > 0 or not src.startswith("www.", pos, state.posMax):
        return False
    if state.pending:
        if state.pending[-1] not in _VALID_PREV:
            return False
    elif pos > 0 and src[pos - 1] not in _VALID_PREV:
        return False
    end = _url_end(src, pos, pos + 4, state.posMax, False)
    if end is None:
        return False
    label = src[pos:end]
    return _push_link(state, 0, end - pos, "http://" + label, label)


def _protocol_rule(state: StateInline, silent: bool) -> bool:
    pos, src, pending = state.pos, state.src, state.pending
    if silent or state.linkLevel > 0 or state.posMax - pos < 4 or src[pos] != ":":
        return False
    proto = next((p for p in _PROTOCOLS if pending.endswith(p)), None)
    if proto is None:
        return False
    back = len(proto)
    if not _preceding_ok(state, back):
        return False
    if proto in ("mailto", "xmpp"):
        end = _email_end(src, pos + 1, state.posMax, proto == "xmpp")
    elif src.startswith("://", pos, state.posMax):
        end = _url_end(src, pos - back, pos + 3, state.posMax, True)
    else:
        return False
    if end is None:
        return False
    label = proto + src[pos:end]
    return _push_link(state, back, len(label), label, label)


def _email_rule(state: StateInline, silent: bool) -> bool:
    pos, src, end = state.pos, state.src, state.posMax
    if silent or state.linkLevel > 0 or pos + 1 >= end or src[pos] != "@":
        return False
    local = 0
    for ch in reversed(state.pending):
        if not (ch.isascii() and (ch.isalnum() or ch in _EMAIL_LOCAL)):
            break
        local += 1
    if not local or not _preceding_ok(state, local):
        return False
    length, periods = 0, 0
    for i in range(pos + 1, end):
        ch = src[i]
        if ch.isascii() and ch.isalnum():
            pass
        elif ch == "@":
            return False
        elif ch == "." and i + 1 < end and src[i + 1].isascii() and src[i + 1].isalnum():
            periods += 1
        elif ch != "-" and ch != "_":
            break
        length += 1
    if length == 0 or periods == 0:
        return False
    last = src[pos + length]
    if not (last.isascii() and last.isalnum()) and last != ".":
        return False
    text = state.pending[-local:] + src[pos : pos + 1 + length]
    return _push_link(state, local, local + 1 + length, "mailto:" + text, text)
