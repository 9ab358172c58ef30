"""How `--shard K/N` cuts the site's units of work (pipeline/shard.py `_runs`): the slowest shard
is what a CI run waits for, so the largest run must be the least any cut gives."""

import itertools
import random

import pytest

from builder.pipeline.shard import _runs

CASES = [
    # (unit weights, shards, each shard's extra work (whole-site files it writes), largest run)
    ([10, 10, 10, 10], 2, [0, 0], 20),
    ([25, 37, 2, 30, 15, 47, 25, 26], 5, [0, 23, 56, 49, 0], 96),  # the nearest even cuts gave 103
    ([5, 5, 40, 5, 5], 3, [0, 0, 0], 40),
    ([1, 1, 1], 3, [0, 0, 30], 31),  # no shard is left empty while there is a unit for it
    ([1, 2], 4, [0, 0, 0, 0], 2),  # fewer units than shards: some shards have none
    ([], 2, [0, 0], 0),
]


def _largest(runs, weights, extra):
    return max(sum(weights[i] for i in run) + extra[k] for k, run in enumerate(runs))


@pytest.mark.parametrize("weights,n,extra,largest", CASES)
def test_the_largest_run_is_the_least_it_can_be(weights, n, extra, largest):
    runs = _runs(weights, n, extra)
    assert [r.start for r in runs[1:]] == [r.stop for r in runs[:-1]] and runs[0].start == 0
    assert runs[-1].stop == len(weights) and len(runs) == n
    assert _largest(runs, weights, extra) == largest
    if len(weights) >= n:
        assert all(len(run) for run in runs)


def test_no_cut_beats_it_on_random_sites():
    rng = random.Random(7)
    for _ in range(400):
        weights = [rng.randint(0, 50) for _ in range(rng.randint(0, 8))]
        n = rng.randint(1, 5)
        extra = [rng.choice([0, 0, rng.randint(0, 60)]) for _ in range(n)]
        least = 1 if len(weights) >= n else 0
        best = min(max(sum(weights[b[k]:b[k + 1]]) + extra[k] for k in range(n))
                   for cuts in itertools.combinations_with_replacement(range(len(weights) + 1), n - 1)
                   for b in [[0, *cuts, len(weights)]] if all(b[k + 1] - b[k] >= least for k in range(n)))
        runs = _runs(weights, n, extra)
        assert _largest(runs, weights, extra) == best, (weights, n, extra, runs)
