#!/usr/bin/env python3
"""docs-builder benchmark: generates corpora, runs docs-builder (and MkDocs / Hugo), prints a report.

    python3 bench/run.py              # full default sizes (about 10 minutes on 2 cores)
    python3 bench/run.py --quick      # small sizes, under ~3 minutes
    python3 bench/run.py --only plain --only serve --runs 5
    python3 bench/run.py --sizes plain=2000 incremental=5000

Sections: plain (pages/s vs MkDocs and Hugo, search off and on), versions (all versions vs one),
incremental (full / no-change / one-reusable edit), serve (time to first page), memory (peak RSS of
the process tree), search (issue 12: cost of search in full and incremental builds, indexing
memory), preview (issue 11: a pull-request preview from a base site vs a clean build). Corpora and sites go under bench/out/ (git-ignored). Nothing here asserts a
time: the script prints figures and a summary against the targets. See bench/README.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus as gen  # noqa: E402

OUT = HERE / "out"
CORPORA = OUT / "corpora"
SITES = OUT / "sites"

FULL = {"plain": 1111, "versions": 1000, "incremental": 10000, "serve": 1000, "memory": [1000, 20000],
        "search": [1000, 10000], "search_memory": [10000, 20000, 50000], "preview": 10000}
QUICK = {"plain": 200, "versions": 300, "incremental": 2000, "serve": 300, "memory": [500, 2000],
         "search": [200], "search_memory": [1000, 2000, 5000], "preview": 200}
SECTIONS = ("plain", "versions", "incremental", "serve", "memory", "search", "preview")
LIST_SIZES = ("memory", "search", "search_memory")

RUN_FROM = REPO
"""Folder holding the `builder` package that is run: a snapshot of REPO/builder (default), so that
edits others make to builder/ during the benchmark neither mix versions nor invalidate the
incremental cache (its key includes a digest of the builder's code), or REPO itself (--live)."""

PROBLEMS: list[str] = []
"""Anything docs-builder (or a peer) did wrong: printed at the end, precisely."""


def problem(msg: str) -> None:
    PROBLEMS.append(msg)
    print(f"  !! {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# Running a command: wall time, CPU time of the whole tree, peak RSS of the whole tree
# ---------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for f in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(f) as fh:
                kids += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return kids


def _tree(pid: int) -> list[int]:
    out, stack = [pid], [pid]
    while stack:
        for k in _children(stack.pop()):
            out.append(k)
            stack.append(k)
    return out


def _status_kb(pid: int, field_name: str = "VmRSS:") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field_name):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class Run:
    cmd: list[str]
    rc: int
    wall: float
    cpu: float
    """user + sys seconds of the process and every child it waited for (workers)."""
    peak_rss_mb: float
    peak_pss_mb: float
    peak_procs: int
    stdout: str
    stderr: str
    json: dict | None = None


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, timeout: float = 7200,
        sample_pss: bool = True) -> Run:
    """Run `cmd`, sampling the RSS of its process tree every 50 ms (sum of VmRSS over the
    process and all its descendants, found through /proc/<pid>/task/*/children)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(RUN_FROM) + (os.pathsep + full_env["PYTHONPATH"] if full_env.get("PYTHONPATH") else "")
    if env:
        full_env.update(env)
    out_f = open(OUT / ".stdout.tmp", "w+")
    err_f = open(OUT / ".stderr.tmp", "w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=str(cwd or RUN_FROM), env=full_env, stdout=out_f, stderr=err_f)
    peak = {"rss": 0, "pss": 0, "procs": 0}
    done = threading.Event()

    def sampler() -> None:
        n = 0
        while not done.is_set():
            pids = _tree(proc.pid)
            rss = sum(_status_kb(p) for p in pids)
            peak["rss"] = max(peak["rss"], rss)
            peak["procs"] = max(peak["procs"], len(pids))
            if sample_pss and n % 4 == 0:  # PSS is dearer to read: every 200 ms
                peak["pss"] = max(peak["pss"], sum(_pss_kb(p) for p in pids))
            n += 1
            done.wait(0.05)

    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    deadline = time.monotonic() + timeout
    status = None
    ru = None
    try:
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)  # docs-builder cleans up its staging folder
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        done.set()
        raise
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    stdout, stderr = out_f.read(), err_f.read()
    out_f.close()
    err_f.close()
    r = Run(cmd, proc.returncode, wall, ru.ru_utime + ru.ru_stime, peak["rss"] / 1024, peak["pss"] / 1024,
            peak["procs"], stdout, stderr)
    try:
        r.json = json.loads(stdout) if stdout.strip().startswith("{") else None
    except ValueError:
        r.json = None
    return r


def builder_cmd(sub: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "builder", sub, *args]


def db_build(root: Path, out: Path, *, versions: list[str] | None = None, search: bool = False,
             clean: bool = True, fresh: bool = True, jobs: int = 2) -> Run:
    """One `docs-builder build` (JSON output) into `out`; `fresh` deletes `out` first."""
    if fresh and out.exists():
        shutil.rmtree(out)
    args = ["--root", str(root), "--out", str(out), "--jobs", str(jobs), "--format", "json"]
    for v in versions or []:
        args += ["--version", v]
    if not search:
        args.append("--no-search")
    if clean:
        args.append("--clean")
    return run(builder_cmd("build", *args))


def check_build(r: Run, what: str, *, pages: int | None = None, outputs: int | None = None,
                unchanged: int | None = None) -> bool:
    """Record (precisely) anything wrong with a docs-builder run; True when it looks right."""
    ok = True
    cmd = " ".join(Path(c).name if c == sys.executable else c for c in r.cmd)
    if r.rc != 0 or r.json is None:
        tail = (r.stderr.strip().splitlines() or [""])[-8:]
        problem(f"{what}: `{cmd}` exited {r.rc} (expected 0 on valid input); "
                f"stderr: {' | '.join(tail)[:800]}; stdout: {r.stdout[:300]!r}")
        return False
    j = r.json
    if j.get("errors"):
        ok = False
        problem(f"{what}: {j['errors']} errors reported on valid input: {json.dumps(j.get('diagnostics', [])[:3])[:800]}")
    if j.get("warnings"):
        # Not wrong in itself, but the generated corpus is meant to be clean.
        problem(f"{what}: {j['warnings']} warnings, first: {json.dumps(j.get('diagnostics', [])[:2])[:600]}")
    if "Traceback" in r.stderr:
        ok = False
        problem(f"{what}: traceback on stderr: {r.stderr[-800:]}")
    if pages is not None and j.get("pages") != pages:
        ok = False
        problem(f"{what}: pages = {j.get('pages')}, expected {pages} source pages")
    if outputs is not None and j.get("outputs") != outputs:
        ok = False
        problem(f"{what}: outputs = {j.get('outputs')}, expected {outputs} (page x version, from frontmatter)")
    if unchanged is not None and j.get("unchanged_pages") != unchanged:
        ok = False
        problem(f"{what}: unchanged_pages = {j.get('unchanged_pages')}, expected {unchanged}")
    return ok


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x: float) -> str:
    if x != x:
        return "n/a"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def spread(xs: list[float]) -> str:
    if len(xs) < 2:
        return ""
    return f"  (runs: {', '.join(f'{x:.2f}' for x in xs)})"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hr(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(3, 86 - len(title)), flush=True)


# ---------------------------------------------------------------------------------------------
# Corpora (cached under bench/out/corpora, keyed on size, seed and the generator's source)
# ---------------------------------------------------------------------------------------------

_CORPORA: dict[tuple[str, int], gen.Corpus] = {}


def plain_corpus(n: int) -> gen.Corpus:
    if ("plain", n) not in _CORPORA:
        t = time.perf_counter()
        c = gen.write_plain(CORPORA / f"plain-{n}", n)
        print(f"  corpus plain-{n}: {c.pages} pages, avg {c.avg_page_bytes / 1024:.1f} KB "
              f"({time.perf_counter() - t:.1f} s to generate or load)", flush=True)
        _CORPORA[("plain", n)] = c
    return _CORPORA[("plain", n)]


def gh_corpus(n: int, translation: str | None = None) -> gen.Corpus:
    """The GitHub-like corpus of `n` pages; with `translation` (a code such as "fr") also a
    made-up translation of most pages (gh-N-fr, in a folder of its own)."""
    name = f"gh-{n}" + (f"-{translation}" if translation else "")
    if (name, n) not in _CORPORA:
        t = time.perf_counter()
        c = gen.write_github_like(CORPORA / name, n, translation=translation)
        st = gen.corpus_stats(c)
        tr = (f"; {translation}: {c.translated_pages} of {c.pages} pages and {c.translated_reusables} of "
              f"{st['reusables']} reusables translated") if translation else ""
        print(f"  corpus {name}: {c.pages} pages ({st['articles']} articles, avg {c.avg_page_bytes / 1024:.1f} KB), "
              f"{c.expected_outputs()} outputs over {len(gen.ALL_VERSIONS)} versions; per article: "
              f"{st['no_condition_pct']:.0f}% without ifversion, {st['ifversion_per_page']:.1f} ifversion, "
              f"{st['variables_per_page']:.1f} variables, {st['reusables_per_page']:.1f} reusables; "
              f"{st['reusables']} reusables ({st['reusables_with_condition_pct']:.0f}% with a condition){tr} "
              f"({time.perf_counter() - t:.1f} s)", flush=True)
        _CORPORA[(name, n)] = c
    return _CORPORA[(name, n)]


# ---------------------------------------------------------------------------------------------
# 1. Plain Markdown: docs-builder vs MkDocs vs Hugo
# ---------------------------------------------------------------------------------------------


def mkdocs_available() -> bool:
    r = subprocess.run([sys.executable, "-c", "import mkdocs"], capture_output=True)
    if r.returncode == 0:
        return True
    print("  mkdocs is not importable: pip install mkdocs", flush=True)
    r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "mkdocs"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"  pip install mkdocs failed: {r.stderr.strip()[-300:]}", flush=True)
        return False
    return subprocess.run([sys.executable, "-c", "import mkdocs"], capture_output=True).returncode == 0


def hugo_path() -> str | None:
    return shutil.which("hugo") or ("/usr/bin/hugo" if os.access("/usr/bin/hugo", os.X_OK) else None)


DB_OFF, DB_ON = "docs-builder [search off]", "docs-builder [search on]"
MK_OFF, MK_ON = "MkDocs [search off]", "MkDocs [search on]"
HUGO = "Hugo [search off]"


def bench_plain(n: int, runs: int, results: dict) -> None:
    hr(f"1. Plain Markdown pages/s: docs-builder vs MkDocs vs Hugo ({n} pages, one version, one language)")
    c = plain_corpus(n)
    res: dict[str, dict] = {}

    def one(name: str, fn, count_check=None, nruns: int = runs) -> None:
        walls, cpus, rss = [], [], []
        for _ in range(nruns):
            r = fn()
            if count_check and not count_check(r):
                return
            if r.rc != 0:
                problem(f"{name}: exited {r.rc}: {r.stderr.strip()[-500:]}")
                return
            walls.append(r.wall)
            cpus.append(r.cpu)
            rss.append(r.peak_rss_mb)
        res[name] = {"wall": med(walls), "cpu": med(cpus), "rss": max(rss), "walls": walls,
                     "pps": n / med(walls)}
        print(f"  {name:<27} {med(walls):7.2f} s  {n / med(walls):8.0f} pages/s   cpu {med(cpus):6.2f} s   "
              f"peak RSS {max(rss):6.0f} MB{spread(walls)}", flush=True)

    site = SITES / f"plain-{n}"
    # Every tool is run with search off and with search on, configured alike: docs-builder
    # --no-search vs MkDocs `plugins: []`; docs-builder with its Pagefind index vs MkDocs with its
    # default search plugin (lunr index). Hugo has no built-in search: it appears once, search off.
    one(DB_OFF, lambda: db_build(c.root, site / "db"),
        lambda r: check_build(r, f"plain-{n} build --no-search", pages=c.pages, outputs=c.pages))
    mk_ok = mkdocs_available()
    if mk_ok:
        ver = subprocess.run([sys.executable, "-m", "mkdocs", "--version"], capture_output=True, text=True).stdout.strip()
        results["mkdocs_version"] = ver
        base_cfg = (c.mkdocs / "mkdocs.yml").read_text()
        (c.mkdocs / "mkdocs-nosearch.yml").write_text(base_cfg + "plugins: []\n")

        def mk(cfg: str, dest: str):
            def go() -> Run:
                shutil.rmtree(site / dest, ignore_errors=True)
                return run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(c.mkdocs / cfg),
                            "-d", str(site / dest)], sample_pss=False)
            return go

        def mk_check(dest: str, search: bool):
            def check(r: Run) -> bool:
                got = sum(1 for _ in (site / dest).rglob("index.html"))
                if got < c.pages:
                    problem(f"MkDocs wrote {got} index.html files for {c.pages} pages")
                has_index = (site / dest / "search" / "search_index.json").is_file()
                if r.rc == 0 and has_index != search:
                    problem(f"MkDocs ({'search on' if search else 'plugins: []'}): search/search_index.json "
                            f"{'missing' if search else 'written anyway'}")
                return True
            return check

        one(MK_OFF, mk("mkdocs-nosearch.yml", "mkdocs-off"), mk_check("mkdocs-off", False))
    else:
        print("  MkDocs: not available, skipped", flush=True)
    hugo = hugo_path()
    if hugo:
        results["hugo_version"] = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()

        def hu() -> Run:
            shutil.rmtree(site / "hugo", ignore_errors=True)
            return run([hugo, "--quiet", "-s", str(c.hugo), "-d", str(site / "hugo")], sample_pss=False)

        def hu_check(r: Run) -> bool:
            got = sum(1 for _ in (site / "hugo").rglob("index.html"))
            if got < c.pages:
                problem(f"Hugo wrote {got} index.html files for {c.pages} pages")
            return True

        one(HUGO, hu, hu_check)
    else:
        print("  Hugo: not installed (Debian package `hugo`), skipped", flush=True)
    one(DB_ON, lambda: db_build(c.root, site / "db-search", search=True),
        lambda r: check_build(r, f"plain-{n} build with search", pages=c.pages, outputs=c.pages))
    if mk_ok:
        one(MK_ON, mk("mkdocs.yml", "mkdocs-on"), mk_check("mkdocs-on", True))
    for db_key, peer, label in ((DB_OFF, MK_OFF, "search off"), (DB_OFF, HUGO, "search off"),
                                (DB_ON, MK_ON, "search on")):
        db = res.get(db_key)
        if db and peer in res:
            print(f"  [{label}] docs-builder / {peer.split(' [')[0] + ':':<7} {db['pps'] / res[peer]['pps']:.2f}x "
                  f"pages/s (best run vs best run {min(res[peer]['walls']) / min(db['walls']):.2f}x; by CPU seconds "
                  f"of the process tree {res[peer]['cpu'] / db['cpu']:.2f}x)", flush=True)
    print("  (MkDocs highlights code in the browser (highlight.js), Hugo and docs-builder at build time; "
          "MkDocs' search plugin writes one lunr JSON index, docs-builder a Pagefind index.)")
    results["plain"] = {"pages": n, **res}
    shutil.rmtree(site, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# 2. All versions vs one version
# ---------------------------------------------------------------------------------------------


def bench_versions(n: int, runs: int, results: dict) -> None:
    hr(f"2. All versions vs one version (GitHub-like, {n} pages, {len(gen.ALL_VERSIONS)} versions)")
    c = gh_corpus(n)
    site = SITES / f"versions-{n}"
    res = {}
    for label, sel, vids in (("--version fpt", ["fpt"], ["fpt"]), ("all versions", None, None)):
        walls, cpus, rss, outs = [], [], [], 0
        for _ in range(runs):
            r = db_build(c.root, site / ("one" if sel else "all"), versions=sel)
            if not check_build(r, f"gh-{n} {label}", pages=c.pages, outputs=c.expected_outputs(vids)):
                if r.rc != 0:
                    break
            walls.append(r.wall)
            cpus.append(r.cpu)
            rss.append(r.peak_rss_mb)
            outs = (r.json or {}).get("outputs", 0)
        if not walls:
            continue
        res[label] = {"wall": med(walls), "cpu": med(cpus), "outputs": outs, "rss": max(rss), "walls": walls}
        print(f"  {label:<16} {med(walls):7.2f} s  {outs:6d} outputs  {outs / med(walls):7.0f} outputs/s  "
              f"{c.pages / med(walls):6.0f} sources/s   cpu {med(cpus):6.2f} s   peak RSS {max(rss):5.0f} MB"
              f"{spread(walls)}", flush=True)
    if len(res) == 2:
        one, allv = res["--version fpt"], res["all versions"]
        ratio = allv["wall"] / one["wall"]
        print(f"  all / one: {ratio:.2f}x time for {allv['outputs'] / max(one['outputs'], 1):.1f}x outputs "
              f"(cpu {allv['cpu'] / one['cpu']:.2f}x)", flush=True)
        res["ratio"] = ratio
    results["versions"] = {"pages": n, **res}
    shutil.rmtree(site, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# 3. Incremental rebuilds
# ---------------------------------------------------------------------------------------------


def pick_reusable(c: gen.Corpus) -> tuple[str, list[str]]:
    """A reusable used by a handful of pages (closest to 10, preferably 5-20)."""
    items = sorted(c.reusable_users.items(), key=lambda kv: (abs(len(kv[1]) - 10), kv[0]))
    return items[0]


def bench_incremental(n: int, runs: int, results: dict) -> None:
    hr(f"3. Incremental rebuilds (GitHub-like, {n} pages, all versions, --no-search)")
    c = gh_corpus(n)
    out = SITES / f"incremental-{n}"
    total_out = c.expected_outputs()
    r = db_build(c.root, out, clean=True, fresh=True)
    check_build(r, f"gh-{n} full build", pages=c.pages, outputs=total_out, unchanged=0)
    full = r.wall
    results["incremental"] = inc = {"pages": n, "outputs": (r.json or {}).get("outputs"), "full": full,
                                    "full_cpu": r.cpu, "full_rss": r.peak_rss_mb,
                                    "full_internal": (r.json or {}).get("seconds")}
    print(f"  full build        {full:7.2f} s  ({inc['outputs']} outputs, internal {inc['full_internal']} s, "
          f"cpu {r.cpu:.1f} s, peak RSS {r.peak_rss_mb:.0f} MB over {r.peak_procs} processes)", flush=True)
    if r.rc != 0:
        return
    # No change
    walls, internal = [], []
    for _ in range(runs):
        r = db_build(c.root, out, clean=False, fresh=False)
        check_build(r, f"gh-{n} no-change rebuild", pages=c.pages, outputs=total_out, unchanged=c.pages)
        walls.append(r.wall)
        internal.append((r.json or {}).get("seconds") or float("nan"))
        rebuilt = c.pages - (r.json or {}).get("unchanged_pages", 0)
    inc.update(nochange=med(walls), nochange_internal=med(internal))
    print(f"  no-change rebuild {med(walls):7.2f} s  (internal {med(internal):.2f} s; {rebuilt} pages rebuilt; "
          f"{med(walls) / full * 100:.1f}% of full){spread(walls)}", flush=True)
    # One reusable edit
    name, users = pick_reusable(c)
    path = c.root / "data" / "reusables" / f"{name}.md"
    original = path.read_text()
    walls, internal, rebuilt_counts = [], [], []
    try:
        for i in range(runs):
            sentence = f"Benchmark edit number {i + 1} quaxolotl{i + 1} appended here."
            text = path.read_text()
            path.write_text(text.rstrip("\n") + " " + sentence + "\n")
            r = db_build(c.root, out, clean=False, fresh=False)
            check_build(r, f"gh-{n} rebuild after editing data/reusables/{name}.md", pages=c.pages, outputs=total_out)
            j = r.json or {}
            rebuilt = c.pages - j.get("unchanged_pages", 0)
            rebuilt_counts.append(rebuilt)
            walls.append(r.wall)
            internal.append(j.get("seconds") or float("nan"))
            if r.rc == 0 and rebuilt < len(users):
                problem(f"edit of data/reusables/{name}.md (used by {len(users)} pages) rebuilt only {rebuilt} pages")
            # The edit must show in the output of a page that uses it.
            if r.rc == 0:
                rel = users[0]
                vid = sorted(c.page_versions[rel], key=gen.ALL_VERSIONS.index)[0]
                url = rel[:-3] if not rel.endswith("index.md") else rel[: -len("/index.md")]
                html = out / "en" / gen.VERSION_DIRS[vid] / url / "index.html"
                try:
                    found = f"quaxolotl{i + 1}" in html.read_text()
                except OSError:
                    found = False
                if not found:
                    problem(f"after editing data/reusables/{name}.md, {html.relative_to(out)} does not contain "
                            f"the appended sentence (stale output of content/{rel})")
    finally:
        path.write_text(original)
    inc.update(edit=med(walls), edit_internal=med(internal), edit_users=len(users), edit_rebuilt=rebuilt_counts)
    print(f"  one-reusable edit {med(walls):7.2f} s  (internal {med(internal):.2f} s; reusable used by "
          f"{len(users)} pages; rebuilt {', '.join(map(str, rebuilt_counts))} pages; "
          f"{med(walls) / full * 100:.1f}% of full){spread(walls)}", flush=True)
    print(f"  ratios: no-change/full {inc['nochange'] / full:.3f}, edit/full {inc['edit'] / full:.3f}", flush=True)
    shutil.rmtree(out, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# 4. Time to first page from `serve`
# ---------------------------------------------------------------------------------------------


def first_page(root: Path, url_path: str, timeout: float = 120) -> tuple[float, float, int, str, float]:
    """(seconds until the port accepted a connection, seconds until the first 200, status, body,
    seconds for a second request of the same, already rendered, page)."""
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(RUN_FROM) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    url = f"http://127.0.0.1:{port}{url_path}"
    t0 = time.perf_counter()
    err_f = open(OUT / ".serve-stderr.tmp", "w+")
    proc = subprocess.Popen(builder_cmd("serve", "--root", str(root), "--port", str(port)), cwd=str(RUN_FROM), env=env,
                            stdout=subprocess.DEVNULL, stderr=err_f)
    status, body, elapsed, listening, again = 0, "", float("nan"), float("nan"), float("nan")
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                status = -1
                break
            if listening != listening:  # not yet: is the port open?
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    listening = time.perf_counter() - t0
                except OSError:
                    time.sleep(0.01)
                    continue
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    status = resp.status
                    body = resp.read().decode("utf-8", "replace")
                    if status == 200:
                        elapsed = time.perf_counter() - t0
                        t1 = time.perf_counter()
                        with urllib.request.urlopen(url, timeout=timeout) as resp2:
                            resp2.read()
                        again = time.perf_counter() - t1
                        break
            except urllib.error.HTTPError as e:
                status = e.code
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # lets serve remove its scratch folder
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        err_f.seek(0)
        err = err_f.read()
        err_f.close()
    if status != 200:
        problem(f"serve --root {root}: {url_path} never answered 200 (last status {status}); stderr: {err[-500:]}")
    return listening, elapsed, status, body, again


def bench_serve(n: int, runs: int, results: dict) -> None:
    hr(f"4. Time to first page from `serve` (GitHub-like, {n} pages)")
    c = gh_corpus(n)
    # The article's title (without Liquid) must be in the page served.
    src = c.root / "content" / (c.article_url.split("/", 2)[2] + ".md")
    title = next((ln[len("title: "):].strip().strip("'").split("{%")[0].strip()
                  for ln in src.read_text().splitlines() if ln.startswith("title: ")), "")
    times, listens, agains = [], [], []
    for _ in range(max(runs, 3)):
        listen, t, status, body, again = first_page(c.root, c.article_url)
        if status != 200:
            break
        times.append(t)
        listens.append(listen)
        agains.append(again)
        if "<h1" not in body or title not in body:
            problem(f"serve: {c.article_url} answered 200 without its title {title!r} ({len(body)} bytes)")
    if times:
        print(f"  {c.article_url}: first 200 after {fmt_s(med(times))} (median of {len(times)}: "
              f"{', '.join(fmt_s(t) for t in times)}), from process start, polling every 10 ms", flush=True)
        print(f"  of which: port open after {fmt_s(med(listens))} (interpreter start, imports, loading the site), "
              f"then {fmt_s(med([t - l for t, l in zip(times, listens)]))} to render and send the page", flush=True)
        print(f"  the same page requested again right after: {', '.join(fmt_s(a) for a in agains)}", flush=True)
        if max(agains) > 0.1:
            problem(f"serve: requesting {c.article_url} a second time, already rendered, took up to "
                    f"{fmt_s(max(agains))} ({', '.join(fmt_s(a) for a in agains)}); expected a few ms")
    results["serve"] = {"pages": n, "first": med(times) if times else float("nan"), "times": times,
                        "listen": med(listens) if listens else float("nan")}


# ---------------------------------------------------------------------------------------------
# 5. Peak memory
# ---------------------------------------------------------------------------------------------


def bench_memory(targets: list[int], candidates: list[int], results: dict) -> None:
    hr(f"5. Peak memory of the build's process tree vs output pages (targets {', '.join(map(str, targets))})")
    print("  (sum of VmRSS over the main process and its workers, sampled every 50 ms; PSS counts shared "
          "pages once)", flush=True)
    order = list(gen.ALL_VERSIONS)
    rows = []
    for target in targets:
        # The largest corpus whose closest selection of versions (fpt, then ghec, then ghes
        # releases) is within 25% of the target, so outputs grow with sources more than versions.
        choice = None
        for m in sorted(candidates, reverse=True):
            cm = gh_corpus(m)
            vs = min((order[:k] for k in range(1, len(order) + 1)),
                     key=lambda vs: abs(cm.expected_outputs(vs) - target))
            if abs(cm.expected_outputs(vs) - target) <= 0.25 * target:
                choice = (m, vs)
                break
        if choice is None:
            m = max(300, round(target / 0.88))  # about 88% of pages are on fpt
            cm = gh_corpus(m)
            choice = (m, min((order[:k] for k in range(1, len(order) + 1)),
                             key=lambda vs: abs(cm.expected_outputs(vs) - target)))
        n, best = choice
        c = gh_corpus(n)
        args = [gen.VERSION_ARGS[v] for v in best]
        expected = c.expected_outputs(best)
        r = db_build(c.root, SITES / f"memory-{n}", versions=args)
        check_build(r, f"gh-{n} --version {' --version '.join(args)}", pages=c.pages, outputs=expected)
        rows.append({"sources": c.pages, "versions": args, "outputs": (r.json or {}).get("outputs", expected),
                     "rss": r.peak_rss_mb, "pss": r.peak_pss_mb, "procs": r.peak_procs, "wall": r.wall})
        print(f"  {c.pages:6d} sources x {len(args)} version(s) = {rows[-1]['outputs']:6d} outputs: "
              f"peak RSS {r.peak_rss_mb:6.0f} MB, PSS {r.peak_pss_mb:6.0f} MB, {r.peak_procs} processes "
              f"({r.wall:.1f} s)", flush=True)
        shutil.rmtree(SITES / f"memory-{n}", ignore_errors=True)
    inc = results.get("incremental")
    if inc and inc.get("full_rss"):
        print(f"  (for reference, the full all-versions build of section 3: {inc['pages']} sources, "
              f"{inc['outputs']} outputs, peak RSS {inc['full_rss']:.0f} MB)", flush=True)
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        per_k = (b["rss"] - a["rss"]) / max((b["outputs"] - a["outputs"]) / 1000, 1e-9)
        print(f"  growth: {a['rss']:.0f} -> {b['rss']:.0f} MB ({b['rss'] / a['rss']:.2f}x) for "
              f"{b['outputs'] / a['outputs']:.1f}x outputs: {per_k:+.1f} MB per 1,000 output pages", flush=True)
    results["memory"] = rows


# ---------------------------------------------------------------------------------------------
# 6. Search (issue 12): its cost in a full build, in an incremental build, and its memory
# ---------------------------------------------------------------------------------------------


def pick_reusable_near(c: gen.Corpus, want: int) -> tuple[str, list[str]]:
    """The reusable whose number of using pages is closest to `want`."""
    return sorted(c.reusable_users.items(), key=lambda kv: (abs(len(kv[1]) - want), kv[0]))[0]


def tree_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) under `folder`."""
    files = size = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            try:
                size += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
            except OSError:
                pass
    return files, size


def page_path(out: Path, rel: str, vid: str, lang: str = "en") -> Path:
    url = rel[:-3] if not rel.endswith("index.md") else rel[: -len("index.md")].rstrip("/")
    return out / lang / gen.VERSION_DIRS[vid] / url / "index.html"


def bench_search(sizes: list[int], runs: int, mem_sizes: list[int], results: dict) -> None:
    hr(f"6. Search cost (GitHub-like, all versions, English + fr; {', '.join(map(str, sizes))} pages)")
    print("  wall times are noisy on a shared machine: CPU seconds (process tree) are printed alongside", flush=True)
    res: dict = {"sizes": {}, "memory": []}
    results["search"] = res
    for n in sizes:
        c = gh_corpus(n, "fr")
        nr = runs if n <= 2000 else 1
        site = SITES / f"search-{n}"
        expected = c.expected_outputs()
        fig: dict = {"pages": c.pages, "outputs": expected, "runs": nr}
        res["sizes"][str(n)] = fig
        for label, search in (("off", False), ("on", True)):
            walls, cpus, rss = [], [], []
            for _ in range(nr):
                r = db_build(c.root, site / label, search=search)
                check_build(r, f"gh-{n}-fr full build, search {label}", pages=c.pages, outputs=expected)
                if r.rc != 0:
                    break
                walls.append(r.wall)
                cpus.append(r.cpu)
                rss.append(r.peak_rss_mb)
            if not walls:
                return
            fig[f"full_{label}"] = {"wall": med(walls), "cpu": med(cpus), "rss": max(rss), "walls": walls}
            extra = ""
            if search:
                files, size = tree_size(site / label / "_pagefind")
                fig["index_files"], fig["index_mb"] = files, size / 2**20
                extra = f"; index {files} files, {size / 2**20:.0f} MB"
            print(f"  full build [search {label:>3}] {med(walls):8.2f} s  cpu {med(cpus):8.2f} s  "
                  f"peak RSS {max(rss):6.0f} MB  ({expected} outputs{extra}){spread(walls)}", flush=True)
        off, on = fig["full_off"], fig["full_on"]
        fig["full_ratio"], fig["full_ratio_cpu"] = on["wall"] / off["wall"], on["cpu"] / off["cpu"]
        print(f"  full build: search on / off = {fig['full_ratio']:.2f}x wall, {fig['full_ratio_cpu']:.2f}x cpu "
              f"(target <= 1.25x); peak RSS of the build's process tree {on['rss'] - off['rss']:+.0f} MB with search",
              flush=True)
        # One reusable used by about 50 articles: the incremental build with and without search.
        name, users = pick_reusable_near(c, 50)
        path = c.root / "data" / "reusables" / f"{name}.md"
        original = path.read_text()
        inc: dict = {"off": [], "on": [], "off_cpu": [], "on_cpu": [], "rebuilt": []}
        try:
            for i in range(nr):
                path.write_text(original.rstrip("\n") + f" Search benchmark edit zyxquorp{i + 1} appended.\n")
                for label, search in (("off", False), ("on", True)):
                    r = db_build(c.root, site / label, search=search, clean=False, fresh=False)
                    check_build(r, f"gh-{n}-fr rebuild after editing data/reusables/{name}.md, search {label}",
                                pages=c.pages, outputs=expected)
                    if r.rc != 0:
                        break
                    inc[label].append(r.wall)
                    inc[f"{label}_cpu"].append(r.cpu)
                    if search:
                        inc["rebuilt"].append(c.pages - (r.json or {}).get("unchanged_pages", 0))
                    rel = users[0]
                    vid = sorted(c.page_versions[rel], key=gen.ALL_VERSIONS.index)[0]
                    html = page_path(site / label, rel, vid)
                    try:
                        found = f"zyxquorp{i + 1}" in html.read_text()
                    except OSError:
                        found = False
                    if not found:
                        problem(f"search {label}: after editing data/reusables/{name}.md, "
                                f"{html.relative_to(site / label)} lacks the appended sentence")
        finally:
            path.write_text(original)
        if inc["off"] and inc["on"]:
            fig["edit_users"] = len(users)
            fig["edit_off"], fig["edit_on"] = med(inc["off"]), med(inc["on"])
            fig["edit_off_cpu"], fig["edit_on_cpu"] = med(inc["off_cpu"]), med(inc["on_cpu"])
            fig["edit_ratio"] = fig["edit_on"] / fig["edit_off"]
            fig["edit_ratio_cpu"] = fig["edit_on_cpu"] / fig["edit_off_cpu"]
            print(f"  one-reusable edit (data/reusables/{name}.md, used by {len(users)} articles; "
                  f"{', '.join(map(str, inc['rebuilt']))} pages rebuilt):", flush=True)
            print(f"    incremental [search off] {fig['edit_off']:8.2f} s  cpu {fig['edit_off_cpu']:8.2f} s"
                  f"{spread(inc['off'])}", flush=True)
            print(f"    incremental [search  on] {fig['edit_on']:8.2f} s  cpu {fig['edit_on_cpu']:8.2f} s"
                  f"{spread(inc['on'])}", flush=True)
            print(f"    search on / off = {fig['edit_ratio']:.2f}x wall, {fig['edit_ratio_cpu']:.2f}x cpu "
                  f"(target <= 1.5x)", flush=True)
        shutil.rmtree(site, ignore_errors=True)
    # Memory of indexing alone: bench/search_memory.py indexes N synthetic pages in a subprocess.
    if not mem_sizes:
        return
    print("  peak memory of indexing alone (bench/search_memory.py: N synthetic pages, 8 versions x en/fr, "
          "indexed by docs-builder's search code; RSS of the process tree incl. Pagefind):", flush=True)
    # Shared: the 8 versions of an article have one text (N/8 records, the usual case). Distinct:
    # every version's text differs, so every page is a record (the worst case for memory).
    for mode, flag in (("shared", []), ("distinct", ["--distinct"])):
        rows = res.setdefault("memory" if mode == "shared" else "memory_distinct", [])
        for n in mem_sizes:
            dest = SITES / f"search-memory-{n}"
            shutil.rmtree(dest, ignore_errors=True)
            r = run([sys.executable, str(HERE / "search_memory.py"), str(n), str(dest), *flag])
            shutil.rmtree(dest, ignore_errors=True)
            j = r.json or {}
            if r.rc != 0 or not j:
                problem(f"search_memory.py {n} {mode}: exited {r.rc}: {r.stderr.strip()[-600:]}")
                continue
            if j.get("diagnostics"):
                problem(f"search_memory.py {n} {mode}: {j['diagnostics']}")
            row = {"pages": n, "rss": r.peak_rss_mb, "pss": r.peak_pss_mb, "procs": r.peak_procs,
                   "index_s": j.get("index_s"), "cpu": r.cpu, "api": j.get("api"), "files": j.get("index_files"),
                   "children_maxrss": j.get("children_maxrss_mb"), "records": j.get("records")}
            rows.append(row)
            print(f"    {mode:8s} {n:7d} pages ({row['records']} records): peak RSS {r.peak_rss_mb:6.0f} MB "
                  f"(PSS {r.peak_pss_mb:6.0f} MB, {r.peak_procs} processes; largest child "
                  f"{row['children_maxrss']:.0f} MB), indexing {row['index_s']:.1f} s, cpu {r.cpu:.1f} s, "
                  f"{row['files']} index files [{row['api']}]", flush=True)
        key = "projected_100k" if mode == "shared" else "projected_100k_distinct"
        if len(rows) >= 2:
            xs, ys = [r_["pages"] for r_ in rows], [r_["rss"] for r_ in rows]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(sum((x - mx) ** 2 for x in xs), 1e-9)
            res[key] = my + slope * (100000 - mx)
            print(f"    {mode}: linear fit {slope * 1000:+.1f} MB per 1,000 pages; projected at 100,000 indexed "
                  f"pages: {res[key]:.0f} MB (target < 500 MB)", flush=True)
        elif rows:
            res[key] = rows[0]["rss"] * 100000 / rows[0]["pages"]


# ---------------------------------------------------------------------------------------------
# 7. CI preview from a base site (issue 11)
# ---------------------------------------------------------------------------------------------


def builder_supports(flag: str) -> bool:
    r = subprocess.run(builder_cmd("build", "--help"), capture_output=True, text=True, cwd=str(RUN_FROM),
                       env={**os.environ, "PYTHONPATH": str(RUN_FROM)})
    return flag in r.stdout


def git(src: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    return subprocess.run(["git", "-C", str(src), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def bench_preview(n: int, results: dict) -> None:
    hr(f"7. CI preview with --base-site (GitHub-like, {n} pages, all versions, English + fr, search on)")
    res: dict = {"pages": n}
    results["preview"] = res
    if not builder_supports("--base-site"):
        res["supported"] = False
        print("  not supported by this builder: `docs-builder build --help` has no --base-site (issue 11)", flush=True)
        return
    res["supported"] = True
    sys.path.insert(0, str(HERE))
    import sitecheck

    c = gh_corpus(n, "fr")
    work = SITES / f"preview-{n}"
    shutil.rmtree(work, ignore_errors=True)
    src, base, preview, preview2, clean = (work / d for d in ("src", "base", "preview", "preview-since", "clean"))
    shutil.copytree(c.root, src, ignore=shutil.ignore_patterns("corpus.json"))
    product_users = add_product_reusable(c, src, 20)
    git(src, "init", "-q", "-b", "main")
    git(src, "add", "-A")
    git(src, "commit", "-q", "-m", "base")
    base_commit = git(src, "rev-parse", "HEAD")
    expected = c.expected_outputs()
    r = db_build(src, base, search=True)
    ok = check_build(r, f"preview-{n}: base site (full build of the base commit)", pages=c.pages, outputs=expected)
    print(f"  base site: full build {r.wall:.2f} s, cpu {r.cpu:.2f} s ({expected} outputs)", flush=True)
    if not ok:
        return
    # The pull request: one article (on every version) and one reusable used by about 20 pages.
    article = next(rel for rel, v in sorted(c.page_versions.items())
                   if v == frozenset(gen.ALL_VERSIONS) and not rel.endswith("index.md"))
    reusable, users = pick_reusable_near(c, 20)
    with open(src / "content" / article, "a", encoding="utf-8") as fh:
        fh.write("\nPreview benchmark paragraph zyxpreviewarticle added by the pull request.\n")
    rpath = src / "data" / "reusables" / f"{reusable}.md"
    rpath.write_text(rpath.read_text().rstrip("\n") + " Preview benchmark zyxpreviewreusable sentence.\n")
    git(src, "commit", "-q", "-am", "pull request: one article, one reusable")
    print(f"  pull request: edits content/{article} and data/reusables/{reusable}.md "
          f"(used by {len(users)} articles)", flush=True)
    common = ["--root", str(src), "--jobs", "2", "--format", "json", "--base-site", str(base)]
    # The base site must come out of the previews untouched (same files, sizes, mtimes, inodes).
    base_before = {k: (v.st_ino, v.st_size, v.st_mtime_ns) for k, v in sitecheck.files_of(base, ()).items()}
    runs_: dict[str, Run] = {}
    for label, out, extra in (("preview --base-site", preview, []),
                              ("preview --base-site --changed-since", preview2,
                               ["--changed-since", base_commit, "--summary", str(work / "summary.md")])):
        r = run(builder_cmd("build", *common, "--out", str(out), *extra))
        runs_[label] = r
        check_build(r, f"preview-{n}: build {' '.join(extra[:2])} --base-site", pages=c.pages, outputs=expected)
        changes = {}
        try:
            cj = json.loads((out / ".build" / "changes.json").read_text())
            for ch in cj.get("changes", []):
                key = f"{ch.get('kind')} {ch.get('change')}"
                changes[key] = changes.get(key, 0) + 1
        except (OSError, ValueError) as err:
            problem(f"preview-{n} ({label}): .build/changes.json not readable: {err}")
        shared = sitecheck.inode_shared(out, base) if out.is_dir() else 0
        res[label] = {"wall": r.wall, "cpu": r.cpu, "rss": r.peak_rss_mb, "changes": changes, "linked_from_base": shared,
                      "internal": (r.json or {}).get("seconds")}
        print(f"  {label:<38} {r.wall:7.2f} s  cpu {r.cpu:7.2f} s  peak RSS {r.peak_rss_mb:5.0f} MB; "
              f"changes.json: {', '.join(f'{v} {k}' for k, v in sorted(changes.items())) or 'none'}; "
              f"{shared} files hard-linked from the base", flush=True)
    # The CI way (docs-preview.yml): the preview built in a copy of the base made for it (the copy,
    # `cp -al`, is not timed: CI restores the base there anyway). It shares the base's files: the
    # check below that the base is untouched covers this run too.
    inplace = work / "preview-in-base"
    subprocess.run(["cp", "-al", str(base), str(inplace)], check=True)
    label = "preview in the base site (--out DIR --base-site DIR)"
    r = run(builder_cmd("build", *common[:-1], str(inplace), "--out", str(inplace), "--changed-since", base_commit))
    runs_[label] = r
    check_build(r, f"preview-{n}: build --base-site DIR --out DIR", pages=c.pages, outputs=expected)
    res[label] = {"wall": r.wall, "cpu": r.cpu, "rss": r.peak_rss_mb, "internal": (r.json or {}).get("seconds")}
    print(f"  {label:<38} {r.wall:7.2f} s  cpu {r.cpu:7.2f} s  peak RSS {r.peak_rss_mb:5.0f} MB", flush=True)
    base_after = {k: (v.st_ino, v.st_size, v.st_mtime_ns) for k, v in sitecheck.files_of(base, ()).items()}
    touched = sorted(k for k in set(base_before) | set(base_after) if base_before.get(k) != base_after.get(k))
    res["base_touched"] = len(touched)
    print(f"  base site after the previews: {'untouched' if not touched else f'{len(touched)} files changed'} "
          f"({len(base_before)} files, .build/ included)", flush=True)
    if touched:
        problem(f"preview-{n}: --base-site DIR was modified by the previews: {touched[:10]}")
    if (work / "summary.md").is_file():
        text = (work / "summary.md").read_text()
        first = text.splitlines()[0] if text else ""
        res["summary_bytes"] = len(text)
        print(f"  --summary: {len(text)} bytes, first line {first!r}, mentions the article: "
              f"{article[:-3].rsplit('/', 1)[-1] in text}", flush=True)
        if first != "<!-- docs-builder-preview -->":
            problem(f"preview-{n}: --summary first line is {first!r}, expected '<!-- docs-builder-preview -->'")
    else:
        problem(f"preview-{n}: --summary {work / 'summary.md'} was not written")
    r = db_build(src, clean, search=True)
    check_build(r, f"preview-{n}: clean full build of the pull request", pages=c.pages, outputs=expected)
    res["clean"] = {"wall": r.wall, "cpu": r.cpu}
    print(f"  clean full build of the PR            {r.wall:7.2f} s  cpu {r.cpu:7.2f} s", flush=True)
    for label, out in (("preview --base-site", preview), ("preview --base-site --changed-since", preview2),
                       ("preview in the base site (--out DIR --base-site DIR)", inplace)):
        f = res[label]
        f["ratio"], f["ratio_cpu"] = f["wall"] / r.wall, f["cpu"] / r.cpu
        cmp_ = sitecheck.compare(out, clean)
        f["equal"] = cmp_.equal
        f["differ"] = {"only_preview": cmp_.only_a[:20], "only_clean": cmp_.only_b[:20], "differ": cmp_.differ[:20],
                       "counts": [len(cmp_.only_a), len(cmp_.only_b), len(cmp_.differ)]}
        print(f"  {label}: {f['ratio'] * 100:.1f}% of the clean build's wall time ({f['ratio_cpu'] * 100:.1f}% cpu); "
              f"{'byte-identical to' if cmp_.equal else 'DIFFERS from'} the clean build ({cmp_.files} files, .build/ "
              f"excluded)", flush=True)
        if not cmp_.equal:
            problem(f"preview-{n} ({label}) differs from a clean build: {len(cmp_.differ)} files differ "
                    f"{cmp_.differ[:10]}, {len(cmp_.only_a)} only in the preview {cmp_.only_a[:10]}, "
                    f"{len(cmp_.only_b)} only in the clean build {cmp_.only_b[:10]}")
        for needle, what in (("zyxpreviewarticle", f"content/{article}"), ("zyxpreviewreusable", f"data/reusables/{reusable}.md")):
            rel = article if what.startswith("content/") else users[0]
            vid = sorted(c.page_versions[rel], key=gen.ALL_VERSIONS.index)[0]
            page = page_path(out, rel, vid)
            try:
                found = needle in page.read_text()
            except OSError:
                found = False
            if not found:
                problem(f"preview-{n} ({label}): {page.relative_to(out)} lacks the edit of {what}")
    preview_product(c, work, src, base, common, base_commit, article, product_users, res, r)
    t = time.perf_counter()
    cr = sitecheck.crawl(preview)
    res["crawl"] = {"html_files": cr.html_files, "links": cr.links, "targets": cr.targets, "redirects": cr.redirects,
                    "relative": cr.relative, "missing_links": cr.missing_links,
                    "missing": dict(list(cr.missing.items())[:20])}
    print(f"  crawl of the preview: {cr.html_files} HTML files, {cr.links} internal links and meta refreshes "
          f"({cr.targets} distinct targets, {cr.relative} relative), {cr.redirects} redirects.json targets: "
          f"{cr.missing_links} lead to a missing file ({time.perf_counter() - t:.0f} s)", flush=True)
    if cr.missing_links:
        problem(f"preview-{n}: {cr.missing_links} internal links or redirects lead to missing files; first: "
                + "; ".join(f"{k} (from {v})" for k, v in list(cr.missing.items())[:10]))
    shutil.rmtree(work, ignore_errors=True)


PRODUCT_REUSABLE = "bench-product/preview"


def add_product_reusable(c: gen.Corpus, src: Path, users: int) -> list[str]:
    """Put into the base commit a reusable used by `users` articles of the largest product.
    Returns the articles that use it."""
    saved = gen.add_product_reusable(c, src, PRODUCT_REUSABLE, users)
    return [path.relative_to(src / "content").as_posix() for path, _ in saved]


def preview_product(c: gen.Corpus, work: Path, src: Path, base: Path, common: list[str], base_commit: str, article: str,
                    users: list[str], res: dict, clean: Run) -> None:
    """The second pull request, from the same base: the same article and a reusable used by 20
    articles of one product, built as docs-preview.yml does (in a copy of the base). Its time only:
    the byte-for-byte comparison is the first pull request's."""
    git(src, "checkout", "-q", "-b", "product-pr", base_commit)
    with open(src / "content" / article, "a", encoding="utf-8") as fh:
        fh.write("\nPreview benchmark paragraph zyxpreviewarticle added by the pull request.\n")
    rpath = src / "data" / "reusables" / f"{PRODUCT_REUSABLE}.md"
    rpath.write_text(rpath.read_text().rstrip("\n") + " Preview benchmark zyxpreviewproduct sentence.\n")
    git(src, "commit", "-q", "-am", "pull request: one article, one product's reusable")
    inplace = work / "preview-product"
    subprocess.run(["cp", "-al", str(base), str(inplace)], check=True)
    label = "preview in the base site, a product's reusable"
    r = run(builder_cmd("build", *common[:-1], str(inplace), "--out", str(inplace), "--changed-since", base_commit))
    git(src, "checkout", "-q", "main")
    if r.rc != 0:
        problem(f"{label}: exited {r.rc}: {r.stderr.strip()[-600:]}")
        return
    page = page_path(inplace, users[0], sorted(c.page_versions[users[0]], key=gen.ALL_VERSIONS.index)[0])
    found = page.is_file() and "zyxpreviewproduct" in page.read_text()
    if not found:
        problem(f"{label}: {page.relative_to(inplace)} lacks the edit of the product's reusable")
    res[label] = {"wall": r.wall, "cpu": r.cpu, "rss": r.peak_rss_mb, "ratio": r.wall / clean.wall,
                  "ratio_cpu": r.cpu / clean.cpu, "users": len(users)}
    print(f"  second pull request (same article; a reusable used by {len(users)} articles of one product), "
          f"in a copy of the base: {r.wall:.2f} s, cpu {r.cpu:.2f} s, peak RSS {r.peak_rss_mb:.0f} MB; "
          f"{r.wall / clean.wall * 100:.1f}% of the first PR's clean build ({r.cpu / clean.cpu * 100:.1f}% cpu)",
          flush=True)


def preview_rows(pv: dict, row) -> None:
    n = pv.get("pages")
    if not pv.get("supported"):
        for t in ("preview --base-site <= 15 s wall", "preview <= 10% of a clean full build",
                  "preview equals a clean build byte for byte", "preview crawl: no missing link or redirect"):
            row(f"{t} [search on]", None, "not supported by this builder (no --base-site)")
        return
    f = pv.get("preview --base-site")
    if not f or "ratio" not in f:
        row("preview --base-site <= 15 s wall [search on]", None, "not measured (see problems)")
        return
    g = pv.get("preview --base-site --changed-since", {})
    h = pv.get("preview in the base site (--out DIR --base-site DIR)", {})
    since = f"; with --changed-since {fmt_s(g['wall'])}" if g.get("wall") else ""
    best = h if h.get("ratio") is not None else f
    row("preview --base-site <= 15 s wall [search on]", best["wall"] <= 15,
        (f"in the base site {fmt_s(h['wall'])} wall, cpu {fmt_s(h['cpu'])}; into a new folder " if h.get("wall") else "")
        + f"{fmt_s(f['wall'])} wall, cpu {fmt_s(f['cpu'])}{since}; {n:,} pages, en + fr")
    k = pv.get("preview in the base site, a product's reusable", {})
    if k.get("wall"):
        row("preview, a product's reusable (the common case) [search on]", None,
            f"{fmt_s(k['wall'])} wall, cpu {fmt_s(k['cpu'])}: {k['ratio'] * 100:.1f}% of a clean build "
            f"({k['ratio_cpu'] * 100:.1f}% cpu)")
    row("preview <= 10% of a clean full build [search on]", best["ratio"] <= 0.10,
        (f"in the base site {h['ratio'] * 100:.1f}% wall, {h['ratio_cpu'] * 100:.1f}% cpu; into a new folder "
         if h.get("ratio") is not None else "")
        + f"{f['ratio'] * 100:.1f}% wall ({fmt_s(f['wall'])} vs {fmt_s(pv['clean']['wall'])}), "
        f"{f['ratio_cpu'] * 100:.1f}% cpu")
    eq = f.get("equal") and g.get("equal", True) and h.get("equal", True)
    counts = f["differ"]["counts"]
    row("preview equals a clean build byte for byte [search on]", bool(eq),
        "identical (.build/ excluded), with and without --changed-since" if eq else
        f"{counts[2]} differ, {counts[0]} only in preview, {counts[1]} only in clean: {f['differ']['differ'][:3]}")
    cr = pv.get("crawl", {})
    row("preview crawl: no missing link or redirect [search on]", cr.get("missing_links", 1) == 0,
        f"{cr.get('missing_links')} missing of {cr.get('links')} links in {cr.get('html_files')} HTML files "
        f"+ {cr.get('redirects')} redirects")


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def summary(results: dict, sizes: dict, quick: bool) -> None:
    hr("Summary against targets")
    rows = []

    def row(target: str, met: bool | None, figure: str) -> None:
        rows.append((target, "n/a" if met is None else ("MET" if met else "NOT MET"), figure))

    v = results.get("versions", {})
    if "ratio" in v:
        row("all versions <= 2x one version [search off]", v["ratio"] <= 2,
            f"{v['ratio']:.3g}x ({fmt_s(v['all versions']['wall'])} for {v['all versions']['outputs']} outputs vs "
            f"{fmt_s(v['--version fpt']['wall'])} for {v['--version fpt']['outputs']}; {v['pages']} pages)")
    else:
        row("all versions <= 2x one version [search off]", None, "not measured")
    p = results.get("plain", {})
    for db_key, peer, want, label in ((DB_OFF, MK_OFF, 10.0, "search off"), (DB_ON, MK_ON, 10.0, "search on"),
                                      (DB_OFF, HUGO, 0.5, "search off")):
        db = p.get(db_key)
        name = peer.split(" [")[0]
        target = f"plain pages/s >= {want:g}x {name} [{label}]"
        if db and peer in p:
            ratio = db["pps"] / p[peer]["pps"]
            cpu_ratio = p[peer]["cpu"] / db["cpu"]
            best = min(p[peer]["walls"]) / min(db["walls"])
            row(target, ratio >= want,
                f"{ratio:.3g}x ({db['pps']:.0f} vs {p[peer]['pps']:.0f} pages/s, {p['pages']} pages; "
                f"best run vs best run {best:.3g}x; by CPU time {cpu_ratio:.3g}x)")
        else:
            row(target, None, "not measured" if not db else f"{name} not available")
    inc = results.get("incremental", {})
    if "nochange" in inc:
        pct = inc["nochange"] / inc["full"] * 100
        row("no-change rebuild < 5% of full [search off]", pct < 5,
            f"{pct:.1f}% ({fmt_s(inc['nochange'])} vs {fmt_s(inc['full'])}, {inc['pages']} pages)")
    else:
        row("no-change rebuild < 5% of full [search off]", None, "not measured")
    if "edit" in inc:
        note = "" if inc["pages"] >= 10000 else f"; measured at {inc['pages']} pages, target is at 10,000"
        row("one-reusable edit at 10,000 pages < 1 s [search off]", inc["edit"] < 1,
            f"{fmt_s(inc['edit'])} wall (internal {fmt_s(inc['edit_internal'])}; {inc['edit_users']} pages use it{note})")
    else:
        row("one-reusable edit at 10,000 pages < 1 s [search off]", None, "not measured")
    s = results.get("serve", {})
    if s.get("times"):
        row("first page from serve < 300 ms [search n/a]", s["first"] < 0.3,
            f"{fmt_s(s['first'])} (median of {len(s['times'])}, {s['pages']} pages; port open after {fmt_s(s['listen'])})")
    else:
        row("first page from serve < 300 ms [search n/a]", None, "not measured")
    m = results.get("memory", [])
    if m:
        last = m[-1]
        growth = ""
        if len(m) >= 2:
            growth = f"; {m[0]['rss']:.0f} MB at {m[0]['outputs']} -> {last['rss']:.0f} MB at {last['outputs']} outputs"
        note = "" if last["outputs"] >= 15000 else "; measured below 20,000 outputs"
        row("peak memory < 600 MB at 20,000 output pages [search off]", last["rss"] < 600,
            f"{last['rss']:.0f} MB RSS (PSS {last['pss']:.0f} MB){growth}{note}")
    else:
        row("peak memory < 600 MB at 20,000 output pages [search off]", None, "not measured")
    srch = results.get("search", {})
    for n, f in sorted(srch.get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        t = f"full build with search <= 1.25x --no-search, {int(n):,} pages [search on vs off]"
        if "full_ratio" in f:
            row(t, f["full_ratio"] <= 1.25,
                f"{f['full_ratio']:.3g}x wall ({fmt_s(f['full_on']['wall'])} vs {fmt_s(f['full_off']['wall'])}); "
                f"{f['full_ratio_cpu']:.3g}x cpu; {f['outputs']} outputs, en + fr")
        else:
            row(t, None, "not measured")
    if srch.get("sizes"):
        n, f = max(srch["sizes"].items(), key=lambda kv: int(kv[0]))
        t = "one-reusable edit (~50 users): with search <= 1.5x without [search on vs off]"
        if "edit_ratio" in f:
            row(t, f["edit_ratio"] <= 1.5,
                f"{f['edit_ratio']:.3g}x wall ({fmt_s(f['edit_on'])} vs {fmt_s(f['edit_off'])}); "
                f"{f['edit_ratio_cpu']:.3g}x cpu; {f['edit_users']} users, {int(n):,} pages")
        else:
            row(t, None, "not measured")
    if "search" in results:
        for mode, rows_key, key in (("versions share their text", "memory", "projected_100k"),
                                    ("every version's text differs", "memory_distinct", "projected_100k_distinct")):
            t = f"indexing peak memory < 500 MB at 100,000 indexed pages, {mode} [search on]"
            if key in srch:
                pts = ", ".join(f"{r_['rss']:.0f} MB at {r_['pages']:,}" for r_ in srch.get(rows_key, []))
                row(t, srch[key] < 500, f"{srch[key]:.0f} MB projected linearly from {pts}")
            else:
                row(t, None, "not measured")
    pv = results.get("preview")
    if pv is not None:
        preview_rows(pv, row)
    w0 = max(len(r[0]) for r in rows)
    print(f"  {'target':<{w0}}  {'status':<8} figure")
    for t, st, f in rows:
        print(f"  {t:<{w0}}  {st:<8} {f}")
    if PROBLEMS:
        print(f"\n  Problems found ({len(PROBLEMS)}):")
        for p_ in PROBLEMS:
            print(f"   - {p_}")
    else:
        print("\n  No problems: every docs-builder run exited 0 with the expected page and output counts.")


def snapshot_builder() -> str:
    """Copy REPO/builder to bench/out/snapshot/builder; returns a short digest of its code."""
    import hashlib

    global RUN_FROM
    dest = OUT / "snapshot"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(REPO / "builder", dest / "builder", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    RUN_FROM = dest
    # Compile once, so the first timed run does not pay for it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "builder")], capture_output=True)
    h = hashlib.sha1()
    for path in sorted((dest / "builder").rglob("*")):
        if path.is_file():
            h.update(path.relative_to(dest).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:10]


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "builder"], cwd=REPO, capture_output=True,
                               text=True).stdout.strip()
        return rev + (" (builder/ has uncommitted changes)" if dirty else "")
    except OSError:
        return "?"


def parse_sizes(items: list[str], base: dict) -> dict:
    sizes = dict(base)
    for item in items or []:
        k, _, v = item.partition("=")
        if k not in sizes or (not v and k not in LIST_SIZES):
            raise SystemExit(f"--sizes: expected one of {', '.join(sizes)}=N, got {item!r}")
        sizes[k] = [int(x) for x in v.replace(":", ",").split(",") if x] if k in LIST_SIZES else int(v)
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (under ~3 minutes)")
    ap.add_argument("--sizes", nargs="*", metavar="KEY=N",
                    help="override sizes: plain=N versions=N incremental=N serve=N memory=A,B (target outputs) "
                         "search=A,B (pages) search_memory=A,B,C (indexed pages) preview=N")
    ap.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    ap.add_argument("--runs", type=int, default=0, help="runs per measurement, median reported (default 3; quick 2)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--live", action="store_true",
                    help="run builder/ from the working tree instead of a snapshot taken at start")
    args = ap.parse_args(argv)
    sizes = parse_sizes(args.sizes, QUICK if args.quick else FULL)
    runs = args.runs or (2 if args.quick else 3)
    sections = args.only or list(SECTIONS)
    OUT.mkdir(parents=True, exist_ok=True)
    SITES.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    where = f"{REPO} (live working tree)" if args.live else f"a snapshot of {REPO}/builder (code digest {snapshot_builder()})"
    print(f"docs-builder benchmark ({'quick' if args.quick else 'full'} mode) - {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print(f"  docs-builder {git_rev()}, run from {where}; Python {platform.python_version()}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    print(f"  sizes: {json.dumps(sizes)}; {runs} runs per figure (median); docs-builder runs with --jobs 2, "
          f"--clean into a fresh --out unless noted")
    results: dict = {"sizes": sizes, "runs": runs}
    try:
        if "plain" in sections:
            bench_plain(sizes["plain"], runs, results)
        if "versions" in sections:
            bench_versions(sizes["versions"], runs, results)
        if "incremental" in sections:
            bench_incremental(sizes["incremental"], runs, results)
        if "serve" in sections:
            bench_serve(sizes["serve"], runs, results)
        if "memory" in sections:
            cands = sorted({sizes["versions"], sizes["serve"], sizes["incremental"]})
            bench_memory(sizes["memory"], cands, results)
        if "search" in sections:
            bench_search(sizes["search"], runs, sizes["search_memory"], results)
        if "preview" in sections:
            bench_preview(sizes["preview"], results)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    summary(results, sizes, args.quick)
    print(f"\n  total {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f} at end "
          f"(other work on the machine inflates wall times; cpu figures are less sensitive)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    for f in (OUT / ".stdout.tmp", OUT / ".stderr.tmp", OUT / ".serve-stderr.tmp"):
        f.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
