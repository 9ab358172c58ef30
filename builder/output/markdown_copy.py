"""Markdown copies of the site for readers and tools (pure): each page's `index.md`, and per
version and language `llms.txt` (llmstxt.org) and `llms-full.txt`.

Titles and intros come from frontmatter (untrusted): in these files they are text on one line,
so none can start a heading, a list item or a section of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

MARKDOWN_FILE = "index.md"
LLMS = "llms.txt"
LLMS_FULL = "llms-full.txt"


def markdown_path(html_path: str) -> str:
    """`en/foo/index.html` -> `en/foo/index.md`."""
    return html_path[: -len("index.html")] + MARKDOWN_FILE if html_path.endswith("index.html") else html_path + ".md"


def markdown_url(page_url: str) -> str:
    """The URL of a page's Markdown copy from its URL (`/en/foo` -> `/en/foo/index.md`)."""
    return page_url.rstrip("/") + "/" + MARKDOWN_FILE


_SPACES = re.compile(r"\s+")


def text_line(text: str) -> str:
    """Frontmatter text as one line of Markdown text: whitespace (newlines, U+2028...) becomes
    one space, control characters go, and the characters that would make it Markdown syntax
    at the start of a line or in a link text are escaped."""
    if not text.isprintable():
        text = "".join(ch for ch in text if ch in "\t\n\r" or ch.isprintable() or ch.isspace())
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    return re.sub(r"^([#+\-=|~])|^(\d+)([.)])", lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    """Where it links: the page's Markdown copy in llms.txt, its HTML in a page's child list."""
    intro: str


def page_markdown(title: str, intro: str, body: str, children: list[Entry] | tuple = (),
                  notes: list[str] | tuple = ()) -> str:
    """A page's Markdown copy: `# Title`, the intro and `notes` (the product notice and
    permissions, as text) as paragraphs, the body, then (on a category or product page) the
    list of its child pages that its HTML shows."""
    parts = [f"# {text_line(title)}"]
    parts += [line for line in map(text_line, [intro, *notes]) if line]
    body = body.strip("\n")
    if body:
        parts.append(body)
    if children:
        parts.append("\n".join(entry_line(e) for e in children))
    return "\n\n".join(parts) + "\n"


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINKS = re.compile(
    r"(?P<code>`+)[^`]*?(?P=code)"  # an inline code span: left as it is
    r"|\[\s*AUTOTITLE\s*\]\(\s*(?P<auto><[^>\n]*>|[^\s)]+)(?P<autorest>[^)\n]*)\)"
    r"|(?P<inline>\]\(\s*)(?P<ihref><[^>\n]*>|[^\s)]+)"
    r"|(?P<ref>^ {0,3}\[[^\]\n]+\]:[ \t]*)(?P<rhref><[^>\n]*>|\S+)"
    r"|(?P<attr>\bhref\s*=\s*)(?P<q>[\"'])(?P<ahref>/(?!/)[^\"'\n]*)(?P=q)",
    re.M | re.I,
)


def rewrite_links(text: str, url_of: Callable[[str], str | None], title_of: Callable[[str], str | None]) -> str:
    """Internal links of Markdown `text` pointed where the HTML's point: `url_of(href)` gives the
    finished URL of a link's href (None: left as written), `title_of(href)` an AUTOTITLE link's
    title. Fenced code blocks and code spans are left alone."""

    def href_of(raw: str) -> tuple[str, bool]:
        return (raw[1:-1], True) if raw.startswith("<") and raw.endswith(">") else (raw, False)

    def new(raw: str) -> str | None:
        href, angled = href_of(raw)
        url = url_of(href)
        if url is None:
            return None
        return f"<{url}>" if angled or " " in url else url

    def sub(m: re.Match) -> str:
        if m.group("code"):
            return m.group(0)
        if m.group("auto"):
            href, _ = href_of(m.group("auto"))
            title, url = title_of(href), new(m.group("auto"))
            if url is None:
                return m.group(0)
            return f"[{text_line(title) if title is not None else 'AUTOTITLE'}]({url}{m.group('autorest')})"
        for lead, key in (("inline", "ihref"), ("ref", "rhref")):
            if m.group(lead) is not None:
                url = new(m.group(key))
                return m.group(0) if url is None else m.group(lead) + url
        url = url_of(m.group("ahref"))
        if url is None or m.group("q") in url:
            return m.group(0)
        return f"{m.group('attr')}{m.group('q')}{url}{m.group('q')}"

    out: list[str] = []
    chunk: list[str] = []
    fence = ""
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):].strip():
                fence = ""
            continue
        if m:
            out.append(_LINKS.sub(sub, "\n".join(chunk))) if chunk else None
            chunk = []
            fence = m.group(1)
            out.append(line)
            continue
        chunk.append(line)
    if chunk:
        out.append(_LINKS.sub(sub, "\n".join(chunk)))
    return "\n".join(out)


def entry_line(e: Entry) -> str:
    """`- [Title](url): intro` on one line."""
    intro = text_line(e.intro)
    return f"- [{text_line(e.title)}]({e.url})" + (f": {intro}" if intro else "")


def llms_txt(site_title: str, summary: str, sections: list[tuple[str, list[Entry]]]) -> str:
    """`llms.txt` (llmstxt.org): `# Site`, `> summary`, then `## Section` lists of
    `- [Title](url): intro`."""
    lines = [f"# {text_line(site_title) or 'Documentation'}", ""]
    if text_line(summary):
        lines += [f"> {text_line(summary)}", ""]
    for heading, entries in sections:
        if not entries:
            continue
        lines += [f"## {text_line(heading)}", ""]
        for e in entries:
            lines.append(entry_line(e))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def llms_full(documents: list[str]) -> str:
    """`llms-full.txt`: the pages' Markdown copies, in navigation order, one after the other."""
    return "\n".join(d.rstrip("\n") + "\n" for d in documents if d.strip())


def copy_segments(documents: list[bytes]) -> list[memoryview]:
    """The copies `llms_full` joins, as UTF-8 bytes: each non-blank copy without its trailing
    newlines, a view of its bytes (nothing is copied). `segments_size` and `segments_bytes` give
    `llms_full`'s size and bytes, so a file of tens of megabytes is never joined in memory."""
    found = []
    for d in documents:
        text = d.strip()
        if not text or ((text[0] >= 0x80 or chr(text[0]).isspace()) and not d.decode("utf-8", "replace").strip()):
            continue  # blank: str.strip() also strips Unicode spaces
        end = len(d)
        while d[end - 1] == 0x0A:
            end -= 1
        found.append(memoryview(d)[:end])
    return found


def segments_size(segments: list[memoryview]) -> int:
    """The size of `llms_full` of the copies (`copy_segments`)."""
    return sum(len(s) for s in segments) + 2 * len(segments) - (1 if segments else 0)


def segments_bytes(segments: list[memoryview]) -> Iterator[bytes | memoryview]:
    """The bytes of `llms_full` of the copies (`copy_segments`), piece by piece."""
    for i, segment in enumerate(segments):
        if i:
            yield b"\n"
        yield segment
        yield b"\n"


def llms_full_index(own: str, heading: str, parts: list[Entry]) -> str:
    """An `llms-full.txt` that would be over the host's file size limit: its page's own copy,
    then `## heading` and a link to the file that holds each section's text (a section's
    `llms-full.txt`, or a page's copy when the section is that one page)."""
    lines = "\n".join(f"- [{text_line(e.title)}]({e.url})" for e in parts)
    return llms_full([own, f"## {text_line(heading)}\n\n{lines}\n" if parts else ""])


@dataclass(frozen=True)
class Part:
    """One copy of an `llms-full.txt` being remade from the last one (`llms_full_spliced`)."""

    size: int
    """Its length in bytes when the last file was made."""
    before: bytes | None = None
    """Its bytes then, when known (they are checked against the last file)."""
    now: bytes | None = None
    """Its bytes now when it changed; None: the same as then."""


def llms_full_spliced(last: bytes, parts: list[Part]) -> bytes | None:
    """`llms_full` of the copies now, from `last`, the `llms_full` of the same copies (same
    order) as they were: an unchanged copy's bytes are taken from where they are in `last`. None
    when `last` is not made of `parts` as they were (then the copies must all be read)."""
    new: list[bytes] = []
    pos = 0
    for part in parts:
        if part.before is not None and not part.before.decode("utf-8", "replace").strip():
            segment = None  # a blank copy is not in the file
        else:
            if pos and last[pos:pos + 1] != b"\n":
                return None
            pos += 1 if pos else 0
            length = len(part.before.rstrip(b"\n")) + 1 if part.before is not None else part.size
            segment = last[pos:pos + length]
            if len(segment) != length or not segment.endswith(b"\n") or segment[:-1].endswith(b"\n"):
                return None
            if part.before is not None and segment != part.before.rstrip(b"\n") + b"\n":
                return None
            pos += length
        if part.now is not None:
            segment = part.now.rstrip(b"\n") + b"\n" if part.now.decode("utf-8", "replace").strip() else None
        if segment is not None:
            new.append(segment)
    if pos != len(last):
        return None
    return b"\n".join(new)
