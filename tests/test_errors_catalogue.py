"""The catalogue of bad inputs: every diagnostic printed in full, from a small site tree.

Each case in `tests/cases/errors/<group>.yml` is a mapping:

    name:      a short title (the test id is `<group>:<name>`)
    files:     path -> text of the site tree; `null` removes one of the defaults
    files_hex: path -> bytes as hex (invalid UTF-8, a BOM ...)
    files_b64: path -> bytes as base64
    symlinks:  link path -> target (as given to os.symlink)
    args:      the command and extra CLI arguments (default: [check]); `{root}` is the tree
    status:    the expected exit status
    expected:  every line printed to stderr except the final summary line ('' for none)
    summary:   a substring of the summary line (`checked N pages ...; 1 error, 0 warnings`)
    built:     output path under <root>/site -> a substring of that file (for `build`)
    expand:    true to expand `${N*TEXT}$` into TEXT repeated N times in files and expected
    max_seconds: the run must finish within this (default 20)
    max_mb:    the run may raise the test process's peak memory by at most this (default 400)
    xfail:     "builder bug: ..." when the builder's current output is wrong (strict)

The runner adds `data/versions.yml` and `data/languages.yml` (from tests/conftest.py) and a
`content/index.md` whose `children` list the top-level entries of `content/`, unless the
case gives its own. The absolute path of the tree is shown as `<ROOT>`.
"""

from __future__ import annotations

import base64
import os
import re
import resource
import time
from pathlib import Path

import pytest
import yaml

from builder.core import codes
from tests.conftest import LANGUAGES_YML, REPO, VERSIONS_YML, page, run_cli

CASES = Path(__file__).resolve().parent / "cases" / "errors"
GROUPS = ("frontmatter", "liquid", "every-problem", "structure", "configuration", "markdown", "translations", "lint", "reader",
          "deprecate", "explain", "external", "hosts", "shards")
HOSTILE_GROUPS = tuple(sorted(p.stem for p in CASES.glob("hostile-*.yml")))
"""The hostile pull-request catalogue: one file per kind of attack (see docs/security.md)."""
DOCS = REPO / "docs" / "errors.md"
SUMMARY = re.compile(r"^(checked|built) \d+ pages? ")
EXPAND = re.compile(r"\$\{(\d+)\*((?:(?!\$\{).)*?)\}\$", re.S)
"""`${N*TEXT}$`; TEXT holds no `${`, so nested repeats expand innermost first."""
KNOWN_KEYS = {"name", "files", "files_hex", "files_b64", "symlinks", "args", "status", "expected",
              "summary", "built", "expand", "max_seconds", "max_mb", "xfail", "env"}


def _load(group: str) -> list[dict]:
    cases = yaml.safe_load((CASES / f"{group}.yml").read_text("utf-8")) or []
    for case in cases:
        case["_group"] = group
    return cases


ALL_CASES = [case for group in GROUPS + HOSTILE_GROUPS for case in _load(group)]
HOSTILE_CASES = [case for case in ALL_CASES if case["_group"] in HOSTILE_GROUPS]


def _params():
    for case in ALL_CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        yield pytest.param(case, id=f"{case['_group']}:{case['name']}", marks=marks)


def _expand(text: str, case: dict) -> str:
    if not case.get("expand"):
        return text
    while True:
        expanded = EXPAND.sub(lambda m: m.group(2) * int(m.group(1)), text)
        if expanded == text:
            return text
        text = expanded


def _top_level_children(paths) -> list[str]:
    names = set()
    for rel in paths:
        if rel.startswith("content/") and rel != "content/index.md":
            first = rel[len("content/"):].split("/")[0]
            if first:
                names.add(first.removesuffix(".md"))
    return sorted(names)


def write_case_tree(root: Path, case: dict) -> None:
    files: dict[str, str | bytes | None] = {
        "data/versions.yml": VERSIONS_YML,
        "data/languages.yml": LANGUAGES_YML,
        "data/site.yml": "base_url: https://docs.example.com\n",  # a sitemap without DB820 (see reader.yml)
    }
    for rel, text in (case.get("files") or {}).items():
        files[rel] = None if text is None else _expand(text, case)
    for rel, hexed in (case.get("files_hex") or {}).items():
        files[rel] = bytes.fromhex("".join(hexed.split()))
    for rel, b64 in (case.get("files_b64") or {}).items():
        files[rel] = base64.b64decode(b64)
    links = case.get("symlinks") or {}
    if "content/index.md" not in files:
        children = _top_level_children(list(files) + list(links))
        files["content/index.md"] = page("Home", "Welcome.\n", children="[" + ", ".join(f"/{c}" for c in children) + "]")
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        if data is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, "utf-8", newline="")
    for rel, target in links.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)


def run_case(root: Path, case: dict):
    args = [str(a).replace("{root}", str(root)) for a in (case.get("args") or ["check"])]
    env = {k: str(v).replace("{root}", str(root)) for k, v in (case.get("env") or {}).items()}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        started = time.monotonic()
        result = run_cli(args[0], "--root", str(root), *args[1:])
        seconds = time.monotonic() - started
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return result, seconds


def _normalise(text: str, root: Path) -> str:
    for form in {str(root.resolve()), str(root)}:
        text = text.replace(form, "<ROOT>")
    return text


@pytest.mark.parametrize("case", list(_params()))
def test_catalogue(case, tmp_path):
    root = tmp_path / "site-src"
    write_case_tree(root, case)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, seconds = run_case(root, case)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_kb) // 1024
    stderr = _normalise(result.stderr, root)
    assert "Traceback" not in stderr + result.stdout
    lines = stderr.rstrip("\n").split("\n") if stderr.strip() else []
    summary = lines.pop() if lines and SUMMARY.match(lines[-1]) else ""
    expected = _expand(case.get("expected") or "", case).rstrip("\n")
    assert "\n".join(lines) == expected
    assert result.status == case["status"], stderr
    if case.get("summary"):
        assert case["summary"] in summary
    assert seconds < case.get("max_seconds", 20), f"took {seconds:.1f}s"
    assert grown_mb < case.get("max_mb", 400), f"peak memory grew by {grown_mb} MB"
    for rel, fragment in (case.get("built") or {}).items():
        out = root / "site" / rel
        assert out.is_file(), f"{rel} was not built"
        assert fragment in out.read_text("utf-8")


# The catalogue itself -------------------------------------------------------------------


def test_catalogue_cases_are_well_formed():
    names = set()
    for case in ALL_CASES:
        key = (case["_group"], case["name"])
        assert key not in names, f"duplicate case name {key}"
        names.add(key)
        unknown = set(case) - KNOWN_KEYS - {"_group"}
        assert not unknown, f"{key}: unknown keys {sorted(unknown)}"
        assert isinstance(case.get("status"), int), f"{key}: needs a status"
        if case.get("xfail"):
            assert case["xfail"].startswith("builder bug: "), key
    assert len(ALL_CASES) >= 40


def test_catalogue_only_uses_known_codes():
    known = {c.code for c in codes.ALL_CODES}
    for case in ALL_CASES:
        for code in re.findall(r"\[(DB\d{3})\]", case.get("expected") or ""):
            assert code in known, f"{case['name']}: {code} is not in builder/core/codes.py"


# docs/errors.md --------------------------------------------------------------------------


def _doc_sections() -> dict[str, str]:
    """Lower-case code -> the text of its section in docs/errors.md."""
    text = DOCS.read_text("utf-8")
    found = {}
    anchors = list(re.finditer(r'<a id="(db\d{3})"></a>', text))
    for i, m in enumerate(anchors):
        end = anchors[i + 1].start() if i + 1 < len(anchors) else len(text)
        found[m.group(1)] = text[m.start():end]
    return found


def test_every_code_has_a_section_in_docs():
    sections = _doc_sections()
    missing = [c.code for c in codes.ALL_CODES if c.code.lower() not in sections]
    assert not missing, f"docs/errors.md has no section for {missing}"
    for code in codes.ALL_CODES:
        section = sections[code.code.lower()]
        heading = section.split("\n", 2)[1] if "\n" in section else ""
        assert heading.startswith("#") and code.code in heading and code.name in heading, (
            f"the section of {code.code} must start with a heading naming {code.code} and {code.name!r}")


def test_docs_name_no_unknown_codes():
    known = {c.code for c in codes.ALL_CODES}
    mentioned = set(re.findall(r"\bDB\d{3}\b", DOCS.read_text("utf-8")))
    assert mentioned <= known, f"docs/errors.md mentions unknown codes {sorted(mentioned - known)}"


# The examples printed in docs/errors.md are the builder's real output ---------------------

DOC_ROOT = "/home/writer/site"
"""The site's root in the examples of docs/errors.md; the catalogue shows it as `<ROOT>`."""
DOC_HEADER = re.compile(r"^(?:\S+:\d+:\d+: )?(?:error|warning)\[(DB\d{3})\]: (.*)$")
DOC_DETAIL = re.compile(r"^ +(?:\d+ )?\| |^  = |^  \.\.\.$")
"""A line that belongs to the diagnostic above it: source, caret, `= note:`/`= in:`, or `  ...`
(the doc leaving out some `= note:` lines)."""
NOT_TRIGGERABLE = {"DB900", "DB640", "DB770", "DB606"}
"""Internal errors have no input that triggers them on purpose; their examples are illustrative.
DB640 is printed by the long-running `serve` (tests/test_serve.py checks its message). DB770
needs an HTTP server that answers 404 (tests/test_external_links.py checks its message). DB606
needs a worker process killed (tests/test_crash.py checks its message)."""


def _doc_diagnostics() -> list[tuple[str, list[str]]]:
    """(code, lines) of every diagnostic printed in a code block of docs/errors.md."""
    text = DOCS.read_text("utf-8")
    found = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```$", text, re.M | re.S):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = DOC_HEADER.match(line)
            if not m:
                continue
            diag = [line]
            for more in lines[i + 1:]:
                if not DOC_DETAIL.match(more):
                    break
                diag.append(more)
            found.append((m.group(1), [d.replace(DOC_ROOT, "<ROOT>") for d in diag]))
    return found


DOC_DIAGNOSTICS = _doc_diagnostics()
CATALOGUE_OUTPUT = [_expand(case.get("expected") or "", case) for case in ALL_CASES]


def _printed_pattern(lines: list[str]) -> re.Pattern:
    """The diagnostic as a whole in a case's expected output: these lines exactly, and no more
    (the next line is blank or the output ends). `  ...` stands for one or more note lines."""
    parts = [r"(?:  = note: [^\n]*\n)*  = note: [^\n]*" if line == "  ..." else re.escape(line)
             for line in lines]
    return re.compile(r"^" + "\n".join(parts) + r"(?=\n\n|\n?\Z)", re.M)


@pytest.mark.parametrize(
    "code, lines",
    [pytest.param(code, lines, id=f"{code}:{lines[0].split(': ')[0]}") for code, lines in DOC_DIAGNOSTICS
     if code not in NOT_TRIGGERABLE])
def test_docs_example_is_what_the_builder_prints(code, lines):
    """Every diagnostic shown in docs/errors.md is, to the character, the output of a catalogue
    case: its message, and its position, source and caret lines and notes. To document a new
    message, add the case that prints it to tests/cases/errors/."""
    message = DOC_HEADER.match(lines[0]).group(2)
    assert any(message in output for output in CATALOGUE_OUTPUT), (
        f"docs/errors.md shows a {code} message that no case of tests/cases/errors/ prints "
        f"(stale, or add a case):\n{message}")
    pattern = _printed_pattern(lines)
    assert any(pattern.search(output) for output in CATALOGUE_OUTPUT), (
        f"docs/errors.md shows this {code} diagnostic, but no case of tests/cases/errors/ prints it "
        "with these lines (position, source and caret, notes):\n" + "\n".join(lines))


def test_docs_show_an_example_for_every_code():
    assert len(DOC_DIAGNOSTICS) >= 70, "docs/errors.md: the diagnostics in its code blocks were not found"
    sections = _doc_sections()
    shown = {name: {m.group(1) for line in section.split("\n") if (m := DOC_HEADER.match(line))}
             for name, section in sections.items()}
    missing = [c.code for c in codes.ALL_CODES
               if c.code not in NOT_TRIGGERABLE and c.code not in shown.get(c.code.lower(), set())]
    assert not missing, f"these sections of docs/errors.md print no example of their own code: {missing}"



def test_hostile_catalogue_is_complete():
    """The hostile pull-request catalogue covers at least 40 attacks (docs/security.md)."""
    assert len(HOSTILE_CASES) >= 40, f"only {len(HOSTILE_CASES)} hostile cases"
