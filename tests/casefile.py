"""Reader for data-driven case files (markdown-it-py's `.`-separated fixture format).

Each case is a title line, a line `.`, the input, a line `.`, the expected result, a line `.`.
Expected results may be split per version with `=== <version> [<version> ...]` lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def read_cases(path: Path) -> list:
    lines = path.read_text("utf-8").split("\n")
    cases = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i + 1] == "." and lines[i].strip() and lines[i] != ".":
            title, start = lines[i], i + 1
            j = start + 1
            parts: list[list[str]] = [[]]
            while j < len(lines):
                if lines[j] == ".":
                    if len(parts) == 2:
                        break
                    parts.append([])
                else:
                    parts[-1].append(lines[j])
                j += 1
            cases.append(pytest.param("\n".join(parts[0]), "\n".join(parts[1]), id=f"{path.name}:{i + 1}:{title}"))
            i = j + 1
        else:
            i += 1
    return cases


def split_expected(expected: str) -> dict[str, str]:
    """`=== a b` sections -> {version: text}; without sections -> {'*': text}."""
    if not expected.startswith("=== "):
        return {"*": expected}
    out: dict[str, str] = {}
    keys: list[str] = []
    buf: list[str] = []
    for line in expected.split("\n") + ["=== "]:
        if line.startswith("=== "):
            for key in keys:
                out[key] = "\n".join(buf)
            keys, buf = line[4:].split(), []
        else:
            buf.append(line)
    return out
