"""The checks `assemble` makes on its shard folders before it reads anything else from them.

Every folder must be a build shard (`.build/shard.json`, written by `build --shard K/N`), all
must come from one set of sources and settings (the same fingerprint, which must also be the
fingerprint of the --root being assembled), and their K values must cover 1..N exactly once.
All problems found are reported together (exit status 2).
"""

from __future__ import annotations

from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError
from ..pipeline.shard import SHARD_STATE, ShardSpec, read_shard_state


def parse_shard(text: str) -> ShardSpec:
    """`K/N` with 1 <= K <= N, or ConfigError DB684."""
    k, sep, n = text.partition("/")
    if sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n) <= 10_000:
        return ShardSpec(int(k), int(n))
    raise ConfigError(Diagnostic(codes.SHARD_OPTION, f"--shard {text!r}: expected K/N with 1 <= K <= N "
                                 "(such as --shard 2/8)", None))


def check_shards(folders: list[Path]) -> list[tuple[Path, dict]]:
    """(folder, shard state) of `folders`, in K order; ConfigError naming every problem otherwise."""
    problems: list[Diagnostic] = []
    states: list[tuple[Path, dict]] = []
    for folder in folders:
        state = read_shard_state(folder) if folder.is_dir() else None
        if state is None:
            why = "does not exist" if not folder.exists() else f"has no readable {SHARD_STATE}"
            problems.append(Diagnostic(codes.SHARD_NOT_A_SHARD, f"{folder} is not a build shard: it {why} "
                                       "(make shards with `docs-builder build --shard K/N --out DIR`)", None))
        else:
            states.append((folder, state))
    if states:
        counts = sorted({state["n"] for _, state in states})
        if len(counts) > 1:
            listed = "; ".join(f"{folder} is {state['k']}/{state['n']}" for folder, state in states)
            problems.append(Diagnostic(codes.SHARD_MISSING, f"the shards were split differently ({listed}): "
                                       "build every shard with the same N", None))
        else:
            n = counts[0]
            by_k: dict[int, list[Path]] = {}
            for folder, state in states:
                by_k.setdefault(state["k"], []).append(folder)
            for k, where in sorted(by_k.items()):
                if len(where) > 1:
                    problems.append(Diagnostic(codes.SHARD_DUPLICATE, f"shard {k}/{n} is given twice: "
                                               + ", ".join(str(f) for f in where), None))
            missing = [k for k in range(1, n + 1) if k not in by_k]
            if missing:
                problems.append(Diagnostic(codes.SHARD_MISSING, f"shard{'s' if len(missing) > 1 else ''} "
                                           + ", ".join(f"{k}/{n}" for k in missing) + " missing: assemble needs "
                                           f"all {n} shards (given: " + ", ".join(str(f) for f, _ in states) + ")",
                                           None))
        prints: dict[str, list[Path]] = {}
        for folder, state in states:
            prints.setdefault(state["fingerprint"], []).append(folder)
        if len(prints) > 1:
            groups = "; ".join(", ".join(str(f) for f in group) for group in prints.values())
            problems.append(Diagnostic(codes.SHARD_MISMATCH, "the shards were built from different sources or "
                                       f"settings ({groups}): build every shard from the same commit with the "
                                       "same options", None))
    if problems:
        raise ConfigError(problems)
    return sorted(states, key=lambda item: item[1]["k"])


def check_root(folders: list[Path], expected: str, found: str, root: Path) -> None:
    """The shards must have been built from the sources in --root (DB681)."""
    if expected != found:
        raise ConfigError(Diagnostic(codes.SHARD_MISMATCH, f"the shards ({', '.join(str(f) for f in folders)}) "
                                     f"were built from other sources or settings than --root {root} holds now: "
                                     "assemble from the tree the shards were built from", None))
