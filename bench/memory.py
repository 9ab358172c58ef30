#!/usr/bin/env python3
"""Peak memory of `docs-builder build` against the number of outputs (issue 13: memory flat in
site size).

    python3 bench/memory.py                     # gh-300-fr, gh-1000-fr, gh-3000-fr; search off and on
    python3 bench/memory.py --sizes 300 1000 --no-search-only
    python3 bench/memory.py --live --json bench/out/memory.json

For each size it builds the GitHub-like corpus with its French translation (bench/corpus.py,
every version, English + French, `--jobs 2 --clean`) and samples the build's process tree every
50 ms, once into an empty folder and once again over the site just built (which reads the last
manifest): the peak of each process's own high-water mark (VmHWM: the main process, and the largest
worker), the peak of the summed VmRSS of the tree (pages a worker shares with the main process
after fork counted in both) and the peak of the summed PSS (shared pages counted once). It then
prints MB per 1,000 outputs (least-squares slope over the sizes) and a projection to 100,000
outputs. Like bench/run.py it runs a snapshot of builder/ (bench/out/snapshot/) unless --live.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus as gen  # noqa: E402

OUT = HERE / "out"
CORPORA = OUT / "corpora"
SITES = OUT / "sites"


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return kids


def _tree(pid: int) -> list[int]:
    out, stack = [pid], [pid]
    while stack:
        for kid in _children(stack.pop()):
            out.append(kid)
            stack.append(kid)
    return out


def _status(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line[:5]] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return found


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def measure(cmd: list[str], env: dict) -> dict:
    """Run `cmd`; peak figures of its process tree in MB, wall seconds, exit status and stdout."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = {"main": 0, "worker": 0, "rss": 0, "pss": 0}
    done = threading.Event()

    def sample() -> None:
        n = 0
        while not done.is_set():
            pids = _tree(proc.pid)
            total = 0
            for pid in pids:
                st = _status(pid)
                total += st.get("VmRSS", 0)
                key = "main" if pid == proc.pid else "worker"
                peak[key] = max(peak[key], st.get("VmHWM", 0))
            peak["rss"] = max(peak["rss"], total)
            if n % 4 == 0:
                peak["pss"] = max(peak["pss"], sum(_pss(p) for p in pids))
            n += 1
            done.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    thread.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    thread.join()
    figures = {k: v / 1024 for k, v in peak.items()}
    figures.update(wall=wall, rc=proc.returncode, stdout=stdout.decode("utf-8", "replace"),
                   stderr=stderr.decode("utf-8", "replace"))
    return figures


def slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares (intercept, slope) of y over x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b


def snapshot() -> Path:
    dest = OUT / "snapshot-memory"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(HERE.parent / "builder", dest / "builder",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000], help="articles per corpus")
    ap.add_argument("--no-search-only", action="store_true", help="only builds with --no-search")
    ap.add_argument("--search-only", action="store_true", help="only builds with search")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--live", action="store_true", help="run builder/ of this checkout, not a snapshot")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = ap.parse_args(argv)
    run_from = HERE.parent if args.live else snapshot()
    env = dict(os.environ, PYTHONPATH=str(run_from))
    modes = [m for m in (False, True) if not (m and args.no_search_only) and not (not m and args.search_only)]
    rows = []
    print(f"peak memory of `docs-builder build` (every version, en + fr, --jobs {args.jobs}), "
          f"running {run_from}; MB", flush=True)
    print(f"{'corpus':>12} {'search':>6} {'into':>6} {'outputs':>8} {'main':>7} {'worker':>7} {'tree RSS':>9} "
          f"{'tree PSS':>9} {'wall s':>7}", flush=True)
    for search in modes:
        for n in args.sizes:
            corpus = gen.write_github_like(CORPORA / f"gh-{n}-fr", n, translation="fr")
            site = SITES / f"memory-{n}"
            shutil.rmtree(site, ignore_errors=True)
            cmd = [sys.executable, "-m", "builder", "build", "--root", str(corpus.root), "--out", str(site),
                   "--jobs", str(args.jobs), "--format", "json", "--clean"]
            if not search:
                cmd.append("--no-search")
            # into an empty folder, then again over the site just built (as CI does with the last
            # site restored, or a writer's rebuild): that one reads the last manifest and compares
            for into in ("empty", "site"):
                r = measure(cmd, env)
                try:
                    report = json.loads(r["stdout"])
                except ValueError:
                    report = {}
                if r["rc"] != 0 or report.get("errors"):
                    print(f"  !! gh-{n}-fr: exit {r['rc']}: {r['stderr'][-400:]}", flush=True)
                    break
                row = {"articles": n, "search": search, "into": into, "outputs": report.get("outputs", 0),
                       **{k: round(r[k], 1) for k in ("main", "worker", "rss", "pss", "wall")}}
                rows.append(row)
                print(f"{'gh-%d-fr' % n:>12} {'on' if search else 'off':>6} {into:>6} {row['outputs']:>8} "
                      f"{row['main']:>7.0f} {row['worker']:>7.0f} {row['rss']:>9.0f} {row['pss']:>9.0f} "
                      f"{row['wall']:>7.1f}", flush=True)
            shutil.rmtree(site, ignore_errors=True)
    print()
    for search in modes:
        for into in ("empty", "site"):
            some = [r for r in rows if r["search"] is search and r["into"] == into]
            if len(some) < 2:
                continue
            for key, what in (("main", "main process"), ("worker", "largest worker"), ("rss", "tree RSS"),
                              ("pss", "tree PSS")):
                a, b = slope([(r["outputs"], r[key]) for r in some])
                print(f"search {'on ' if search else 'off'}, into {into:>5}, {what:>14}: {b * 1000:+6.1f} MB per "
                      f"1,000 outputs; projected at 100,000 outputs: {a + b * 100_000:6.0f} MB", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
