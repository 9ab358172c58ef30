"""Search indexing figures: full build with and without search, a one-reusable edit with and
without search, CPU seconds and peak RSS of the process tree. Prints figures; asserts nothing.

Two one-reusable edits: the generated corpus's reusable whose users are closest to 50 articles
(the generator spreads a reusable's users over all products, in proportion to their size), and
"a product's reusable": one the bench adds to 50 articles of the largest product, spread over its
categories, as in GitHub Docs where most reusables a product uses are its own (Packages: 168 of
its 216 reusable uses are `reusables.package_registry.*`). Its tags are removed afterwards.

    python3 bench/search.py --sizes 1000 5000 [--builder DIR] [--runs 1]

`--builder DIR` runs another checkout's `builder` package (DIR is put first on PYTHONPATH), so
figures before and after a change come from the same corpus.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench import corpus as gen  # noqa: E402

OUT = HERE / "out"


def _tree_sum(pid: int, file: str, field: str) -> int:
    """The sum of `field` (kB) in /proc/<pid>/`file` over a process and its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in open(f"/proc/{p}/{file}"):
                if line.startswith(field):
                    total += int(line.split()[1])
                    break
            for t in os.listdir(f"/proc/{p}/task"):
                todo.extend(int(c) for c in open(f"/proc/{p}/task/{t}/children").read().split())
        except OSError:
            pass
    return total


def _tree_pss(pid: int) -> int:
    """Summed Pss (kB) of a process and its descendants: memory they share (a forked process's
    pages inherited from the build) counted once, shared among them, where VmRSS counts it in each."""
    return _tree_sum(pid, "smaps_rollup", "Pss:")


def _tree_rss(pid: int) -> int:
    """Summed VmRSS (kB) of a process and its descendants."""
    return _tree_sum(pid, "status", "VmRSS:")


def run(builder: Path, root: Path, out: Path, *args: str) -> tuple[float, float, float, int]:
    """(wall s, cpu s, peak RSS MB, exit status) of one `python3 -m builder build`."""
    env = dict(os.environ, PYTHONPATH=str(builder))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "builder", "build", "--root", str(root), "--out", str(out),
                             "--jobs", "2", *args], cwd=builder, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        print(err.decode()[-2000:])
    return wall, cpu, peak[0] / 1024, proc.returncode


PRODUCT_REUSABLE = "bench-product/edit"


def add_product_reusable(c, users: int = 50) -> tuple[Path, list[tuple[Path, str]]]:
    """A reusable used by `users` articles of the largest product. Returns its file and the
    articles' texts to restore."""
    saved = gen.add_product_reusable(c, c.root, PRODUCT_REUSABLE, users)
    return c.root / "data" / "reusables" / f"{PRODUCT_REUSABLE}.md", saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--builder", type=Path, default=HERE.parent)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    builder = a.builder.resolve()
    print(f"builder: {builder}")
    for n in a.sizes:
        c = gen.write_github_like(OUT / "corpora" / f"gh-{n}", n)
        print(f"gh-{n}: {c.pages} pages, {c.expected_outputs()} outputs")
        name, users = sorted(c.reusable_users.items(), key=lambda kv: (abs(len(kv[1]) - 50), kv[0]))[0]
        reusable = c.root / "data" / "reusables" / f"{name}.md"
        original = reusable.read_text()
        local, saved = add_product_reusable(c)
        try:
            measure(a, builder, c, n, name, len(users), reusable, original, local, len(saved))
        finally:
            for path, text in saved:
                path.write_text(text)
            shutil.rmtree(local.parent, ignore_errors=True)


def measure(a, builder: Path, c, n: int, name: str, users: int, reusable: Path, original: str,
            local: Path, local_users: int) -> None:
    for search in (False, True):
        flag = () if search else ("--no-search",)
        label = "search   " if search else "no-search"
        site = OUT / "sites" / f"search-{n}"
        shutil.rmtree(site, ignore_errors=True)
        for i in range(a.runs):
            w, cpu, rss, rc = run(builder, c.root, site, "--clean", *flag)
            print(f"  {label} full build  {w:6.2f} s wall  {cpu:6.2f} s cpu  peak {rss:5.0f} MB  rc {rc}", flush=True)
        try:
            for i in range(a.runs):
                reusable.write_text(original + f"\nSearch bench edit {i} zorblax{i}{int(search)}.\n")
                w, cpu, rss, rc = run(builder, c.root, site, *flag)
                print(f"  {label} edit {name} ({users} pages)  {w:6.2f} s wall  {cpu:6.2f} s cpu  "
                      f"peak {rss:5.0f} MB  rc {rc}", flush=True)
            for i in range(a.runs):
                local.write_text(f"A sentence this product's articles share, edit {i} quorplex{i}{int(search)}.\n")
                w, cpu, rss, rc = run(builder, c.root, site, *flag)
                print(f"  {label} edit a product's reusable ({local_users} pages of one product)  {w:6.2f} s wall"
                      f"  {cpu:6.2f} s cpu  peak {rss:5.0f} MB  rc {rc}", flush=True)
            w, cpu, rss, rc = run(builder, c.root, site, *flag)
            print(f"  {label} no-change  {w:6.2f} s wall  {cpu:6.2f} s cpu  rc {rc}", flush=True)
        finally:
            reusable.write_text(original)
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
