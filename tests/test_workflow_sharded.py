"""The sharded build workflow (.github/workflows/docs-build-sharded.yml), run by
tests/workflow_runner.py as GitHub's runner would: every job (each shard of the matrix, then the
assembly) in a fresh shallow clone, the shards handed to the assembly as artifacts, each shard's
build and the site kept in the cache between two pushes. The assembled site must equal what one
`docs-builder build` of the same commit makes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import REPO
from .test_workflows import EXPR, PROD, STANDARD_ACTIONS, clone, edit, git
from .workflow_runner import Runner, source_repo

WORKFLOW = REPO / ".github" / "workflows" / "docs-build-sharded.yml"
PAGE = Path("en") / "packages" / "quickstart" / "index.html"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))


def expressions(sha: str) -> dict:
    return {"github.ref": "refs/heads/main", "github.ref_name": "main", "github.sha": sha,
            "github.event_name == 'workflow_dispatch' || vars.DOCS_SHARDED == 'true'": True,
            "vars.DOCS_PRODUCTION_URL": PROD}


def test_one_job_per_shard_then_the_assembly():
    flow = workflow()
    shards = flow["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(flow["env"]["SHARDS"]) + 1)), "the matrix covers 1..SHARDS"
    assert flow["jobs"]["assemble"]["needs"] == "shard"
    assert flow["permissions"] == {"contents": "read"}
    for job in flow["jobs"].values():
        assert job.get("timeout-minutes")
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].partition("@")[0] in STANDARD_ACTIONS
    for text in EXPR.findall(WORKFLOW.read_text("utf-8")):
        assert text in expressions("0" * 40) or text.startswith(("matrix.", "env.")), text


def files(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and ".build" not in p.relative_to(folder).parts}


def single_build(workspace: Path, out: Path) -> dict:
    subprocess.run(["python3", "-m", "builder", "build", "--root", str(workspace), "--out", str(out), "--base-url", PROD],
                   cwd=workspace, env={**os.environ, "PYTHONPATH": str(workspace)}, check=True, capture_output=True)
    return files(out)


@pytest.fixture(scope="module")
def pushes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sharded")
    src = tmp / "src"
    source_repo(REPO, src, git)
    cache, api = tmp / "cache", tmp / "api.json"
    cache.mkdir()
    api.write_text(json.dumps({"comments": [], "calls": []}))

    def push(n: int) -> Runner:
        sha = git(src, "rev-parse", "HEAD")
        home = tmp / f"push{n}"
        runner = Runner(home, clone(src, "main", home / "ws"), "push", "refs/heads/main", sha, expressions(sha),
                        {"ref": "refs/heads/main", "after": sha}, api, cache)
        runner.fresh_workspace = lambda job: clone(src, "main", home / f"ws-{job}")
        runner.results = runner.run_workflow(workflow())
        return runner

    first = push(1)
    edit(src, "content/packages/quickstart.md", "\nA sentence the second push adds.\n", "edit")
    second = push(2)
    return {"first": first, "second": second, "tmp": tmp}


def test_the_assembled_site_is_the_single_build(pushes):
    runner = pushes["first"]
    assert runner.results == {"shard": "success", "assemble": "success"}, "\n".join(runner.log)
    site = runner.workspace / "site"
    assert files(site) == single_build(runner.workspace, pushes["tmp"] / "single-1")
    keys = {json.loads(p.read_text())["key"] for p in (pushes["tmp"] / "cache").glob("*/meta.json")}
    sha = runner.env["GITHUB_SHA"]
    assert {f"docs-shard-{k}-of-4-main-{sha}" for k in range(1, 5)} | {f"docs-site-main-{sha}"} <= keys
    assert (runner.artifacts / "docs-site" / ".build" / "manifest.json").is_file()


def test_the_next_push_reuses_each_shards_build(pushes):
    runner = pushes["second"]
    log = "\n".join(runner.log)
    assert runner.results == {"shard": "success", "assemble": "success"}, log
    first_sha = pushes["first"].env["GITHUB_SHA"]
    for k in range(1, 5):
        assert f"restored cache docs-shard-{k}-of-4-main-{first_sha}" in log
    site = runner.workspace / "site"
    assert "A sentence the second push adds." in (site / PAGE).read_text("utf-8")
    assert files(site) == single_build(runner.workspace, pushes["tmp"] / "single-2")
    changes = json.loads((site / ".build" / "changes.json").read_text("utf-8"))
    changed = {c["path"] for c in changes["changes"] if c["change"] == "modified"}
    assert PAGE.as_posix() in changed
