"""The fetch command DB621 names for a base ref missing from a shallow clone: for each usual
spelling of a ref, the command that makes it (and the ancestor it names) known locally."""

import pytest

from builder.pipeline.changed import fetch_command

CASES = [
    ("main", "git fetch --no-tags --depth=1 origin main:main"),
    ("refs/heads/dev", "git fetch --no-tags --depth=1 origin dev:dev"),
    ("origin/main", "git fetch --no-tags --depth=1 origin main:refs/remotes/origin/main"),
    ("origin/main~3", "git fetch --no-tags --depth=4 origin main:refs/remotes/origin/main"),
    ("origin/release/3.17^", "git fetch --no-tags --depth=2 origin release/3.17:refs/remotes/origin/release/3.17"),
    ("main~2^", "git fetch --no-tags --depth=4 origin main:main"),
    ("0123abcd", "git fetch --no-tags --depth=1 origin 0123abcd"),
    ("0123abcd~2", "git fetch --no-tags --depth=3 origin 0123abcd"),
    ("HEAD~2", "git fetch --deepen=2"),
    ("HEAD^", "git fetch --deepen=1"),
    ("@{upstream}", "git fetch --unshallow origin"),
    ("main..topic", "git fetch --unshallow origin"),
    ("v1:x", "git fetch --unshallow origin"),
]


@pytest.mark.parametrize("ref, command", CASES, ids=[c[0] for c in CASES])
def test_fetch_command(ref, command):
    assert fetch_command(ref) == command
