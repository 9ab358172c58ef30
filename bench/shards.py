"""Sharded builds: one single build, then N shards one after another, then `assemble`.

    python3 bench/shards.py [--articles 6000] [--shards 8] [--jobs 2] [--no-search] [--host netlify]

The corpus is bench/corpus.py's GitHub-like site (fpt, ghec and six ghes releases), English plus
a made-up translation, with 3 `redirect_from` entries per article. Prints each run's wall time
and peak memory (the largest process's RSS, from `os.wait4`, and the sampled sums of RSS and of
PSS over its process tree: PSS counts what its processes share once), the ratio slowest shard /
single build, the assemble time, and whether the assembled site equals the single build byte for byte (every file outside `.build/`; the
`.build/` files that differ are named). Then the same with CI's recipe: the shard folders merged
into one (`cp -al`, standing in for the artifact download) and `assemble --in-place` there.
Targets (issue 13): slowest shard <= 0.2 x single (about a fifth with assemble), every shard
< 1 GB. Asserts nothing; exits 1 when the sites differ.
"""

from __future__ import annotations

import argparse
import filecmp
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
from bench import corpus as gen  # noqa: E402
from bench.run import git  # noqa: E402
from bench.search import _tree_pss, _tree_rss  # noqa: E402

OUT = HERE / "out"


def pages_for(articles: int) -> int:
    """The corpus size (`n` of write_github_like) that gives about `articles` articles."""
    cats = math.ceil(articles / 40)
    return articles + cats + math.ceil(cats / 10) + 1


SETTLE = 300
"""Seconds between removing the last run's folders and the first timed build. ext4 (this machine's
file system) does not reuse an inode freed in the last 5 minutes, and to know, reads each candidate
inode as it makes a file or folder: a build that follows the removal of 1,000,000s of files
spends a third of its CPU in the kernel (`perf`: `recently_deleted` under `ext4_create` and
`ext4_mkdir`), the single build most, as it runs first (up to stop 31 it did, with little effect
on the figures: see bench/README.md)."""

CODE = REPO
"""Where the `builder` package run comes from: a snapshot of this checkout's (see `main`)."""


def run(args: list[str], label: str) -> tuple[float, float, float, int, float, float]:
    """(wall s, peak RSS of its largest process MB, sampled peak RSS of its process tree MB, status,
    CPU s of the process and its workers and Pagefind: a figure the machine's other load changes
    less than the wall time, sampled peak PSS of its process tree MB: what the tree's processes
    share, such as a forked process's inherited pages, counted once)."""
    env = dict(os.environ, PYTHONPATH=str(CODE))
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=CODE, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]

    def sample() -> None:
        while proc.returncode is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            peak[1] = max(peak[1], _tree_pss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    sampler.join()
    last = err.strip().splitlines()[-1] if err.strip() else ""
    cpu = usage.ru_utime + usage.ru_stime
    print(f"  {label:<12} {wall:8.1f} s  cpu {cpu:7.1f} s  peak {usage.ru_maxrss / 1024:7.0f} MB (process), "
          f"{peak[0] / 1024:7.0f} MB (tree RSS), {peak[1] / 1024:7.0f} MB (tree PSS)  exit {proc.returncode}  | "
          f"{last[:100]}", flush=True)
    return wall, usage.ru_maxrss / 1024, peak[0] / 1024, proc.returncode, cpu, peak[1] / 1024


def differences(a: Path, b: Path) -> tuple[list[str], list[str]]:
    """(files that differ or exist on one side only outside .build/, the same inside .build/)."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}

    fa, fb = files(a), files(b)
    differ = sorted((fa ^ fb) | {rel for rel in fa & fb if not filecmp.cmp(a / rel, b / rel, shallow=False)})
    return ([r for r in differ if not r.startswith(".build/")], [r for r in differ if r.startswith(".build/")])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--translation", default="fr")
    parser.add_argument("--redirects", type=int, default=3)
    parser.add_argument("--no-search", dest="search", action="store_false")
    parser.add_argument("--host", default="generic",
                        help="host profile of every build (assemble takes the shards'): generic writes a stub per "
                             "redirect source, others mostly rules")
    parser.add_argument("--live", action="store_true", help="run this checkout's builder/, not a snapshot of it")
    parser.add_argument("--no-settle", dest="settle", action="store_false",
                        help="time the builds right after removing the last run's folders (see SETTLE)")
    args = parser.parse_args()
    global CODE
    if not args.live:  # every run of one report from the same code, even if builder/ is edited meanwhile
        CODE = OUT / "snapshot-shards"
        shutil.rmtree(CODE, ignore_errors=True)
        shutil.copytree(REPO / "builder", CODE / "builder", ignore=shutil.ignore_patterns("__pycache__"))

    n = pages_for(args.articles)
    name = f"gh-{n}-{args.translation}-r{args.redirects}"
    t = time.monotonic()
    corpus = gen.write_github_like(OUT / "corpora" / name, n, translation=args.translation, redirects=args.redirects)
    if not (corpus.root / ".git").is_dir():  # its own repository: the source commit the builds record is
        git(corpus.root, "init", "-q")      # the corpus's, not that of a checkout that moves meanwhile
        git(corpus.root, "add", "-A")
        git(corpus.root, "commit", "-q", "-m", "corpus")
    print(f"corpus {name}: {corpus.pages} pages, {corpus.expected_outputs()} outputs over "
          f"{len(gen.ALL_VERSIONS)} versions, languages en + {args.translation}, {args.redirects} redirect_from "
          f"per article ({time.monotonic() - t:.1f} s)", flush=True)
    work = OUT / "shards"
    if work.exists():
        t = time.monotonic()
        shutil.rmtree(work, ignore_errors=True)
        removed = time.monotonic() - t
        if args.settle:
            print(f"removed the last run's folders in {removed:.0f} s; waiting {SETTLE} s for the file system "
                  "(see SETTLE)", flush=True)
            time.sleep(SETTLE)
    work.mkdir(parents=True)
    common = (["--root", str(corpus.root), "--jobs", str(args.jobs), "--host", args.host]
              + ([] if args.search else ["--no-search"]))
    print(f"builds (--jobs {args.jobs}, search {'on' if args.search else 'off'}, --host {args.host}), "
          "one after another:", flush=True)
    single = run(["build", *common, "--out", str(work / "single")], "single")
    shards = []
    for k in range(1, args.shards + 1):
        shards.append(run(["build", *common, "--shard", f"{k}/{args.shards}", "--out", str(work / f"shard-{k}")],
                          f"shard {k}/{args.shards}"))
    folders = [str(work / f"shard-{k}") for k in range(1, args.shards + 1)]
    assembled = run(["assemble", "--root", str(corpus.root), "--jobs", str(args.jobs), *folders,
                     "--out", str(work / "site")], "assemble")
    # CI's way (docs/sharding.md): every shard's files downloaded into one folder, assembled there.
    # The merge stands in for the download (hard links: what CI pays to download, not assemble).
    merged = work / "merged"
    t = time.monotonic()
    for folder in folders:
        subprocess.run(["cp", "-al", f"{folder}/.", str(merged)], check=True)
    merge_s = time.monotonic() - t
    print(f"  {'merge':<12} {merge_s:8.1f} s  (cp -al of the {args.shards} shard folders into one: CI's download)")
    in_place = run(["assemble", "--root", str(corpus.root), "--jobs", str(args.jobs), "--in-place",
                    "--out", str(merged)], "assemble --in-place")
    slowest = max(s[0] for s in shards)
    outside, inside = differences(work / "single", work / "site")
    outside_ip, inside_ip = differences(work / "single", merged)
    print(f"slowest shard {slowest:.1f} s = {slowest / single[0]:.3f} x single build {single[0]:.1f} s "
          f"(target <= 0.2); with assemble {(slowest + assembled[0]) / single[0]:.3f} x")
    slowest_cpu = max(s[4] for s in shards)
    print(f"CPU: slowest shard {slowest_cpu:.1f} s = {slowest_cpu / single[4]:.3f} x single build {single[4]:.1f} s; "
          f"with assemble {(slowest_cpu + assembled[4]) / single[4]:.3f} x")
    print(f"largest shard peak {max(s[1] for s in shards):.0f} MB per process, {max(s[2] for s in shards):.0f} MB "
          f"per process tree (RSS; PSS {max(s[5] for s in shards):.0f} MB) (target < 1024 MB); single build "
          f"{single[1]:.0f} / {single[2]:.0f} MB (PSS {single[5]:.0f} MB)")
    print(f"with assemble --in-place {(slowest + in_place[0]) / single[0]:.3f} x (CPU "
          f"{(slowest_cpu + in_place[4]) / single[4]:.3f} x)")
    print(f"shards together {sum(s[0] for s in shards):.1f} s; assemble {assembled[0]:.1f} s, "
          f"--in-place {in_place[0]:.1f} s")
    print("assembled site equals the single build byte for byte outside .build/: "
          + ("yes" if not outside else f"NO ({len(outside)} files differ, first: {', '.join(outside[:5])})"))
    print(".build/ files that differ: " + (", ".join(inside) if inside else "none"))
    print("assembled in place equals the single build outside .build/: "
          + ("yes" if not outside_ip else f"NO ({len(outside_ip)} files differ, first: {', '.join(outside_ip[:5])})")
          + "; .build/ files that differ: " + (", ".join(inside_ip) if inside_ip else "none"))
    return 1 if outside or outside_ip else 0


if __name__ == "__main__":
    sys.exit(main())
