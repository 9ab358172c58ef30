"""`Alongside`: work run in a forked process while the build goes on, with the same outcome as
run in the build's own process."""

from __future__ import annotations

import os

import pytest

from builder.pipeline.alongside import Alongside


def test_the_work_runs_in_another_process_and_its_result_comes_back():
    here = os.getpid()
    loaded = {"pages": ["a", "b"]}  # what the build loaded: inherited, not sent
    work = Alongside(lambda: (os.getpid(), loaded["pages"] + ["c"]), forked=True)
    pid, pages = work.result()
    assert pid != here and pages == ["a", "b", "c"]


def test_without_fork_the_work_runs_here_when_its_result_is_asked_for():
    ran = []
    work = Alongside(lambda: ran.append(os.getpid()) or "done", forked=False)
    assert ran == []
    assert work.result() == "done" and ran == [os.getpid()]


def test_work_that_fails_is_run_again_here_so_its_error_is_the_one_reported(tmp_path):
    marks = tmp_path / "marks"

    def work():
        with open(marks, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        raise ValueError("cannot write llms-full.txt")

    with pytest.raises(ValueError, match="cannot write llms-full.txt"):
        Alongside(work, forked=True).result()
    pids = marks.read_text().split()
    assert len(pids) == 2 and pids[1] == str(os.getpid()) != pids[0]


def test_a_cancelled_process_is_ended_and_sends_nothing(tmp_path):
    import time

    done = tmp_path / "done"
    work = Alongside(lambda: time.sleep(30) or done.write_text("finished"), forked=True)
    started = time.monotonic()
    work.cancel()
    assert time.monotonic() - started < 10 and not done.exists()
