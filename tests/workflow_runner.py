"""A GitHub Actions runner, close enough for tests/test_workflows.py: a job's `run:` steps run in
order with bash and the environment variables a runner sets; `${{ ... }}` comes from a table of
known expressions (an unknown one is a failure, so the table stays honest); `uses:` steps are
simulated: checkout is the clone already in the workspace, the cache and artifacts are folders,
github-script runs its script in node against a fake GitHub API kept in a JSON file."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
STATUS_FUNCTIONS = ("success()", "failure()", "always()", "cancelled()")


# What actions/github-script gives a script (github, context, core, require), over a fake GitHub
# API whose comments live in a JSON file; "fail" in that file makes writes fail with that status.
GITHUB_SCRIPT_HARNESS = r"""
const fs = require('fs');
const [scriptPath, apiPath] = process.argv.slice(2);
const api = JSON.parse(fs.readFileSync(apiPath, 'utf8'));
const save = () => fs.writeFileSync(apiPath, JSON.stringify(api, null, 1));
const write = (what) => {
  api.calls.push(what);
  if (api.fail) { const e = new Error(`Resource not accessible by integration (${api.fail})`); e.status = api.fail; throw e; }
};
const [owner, repo] = process.env.GITHUB_REPOSITORY.split('/');
const payload = JSON.parse(fs.readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8'));
const context = { repo: { owner, repo }, payload, eventName: process.env.GITHUB_EVENT_NAME,
  sha: process.env.GITHUB_SHA, ref: process.env.GITHUB_REF, runId: Number(process.env.GITHUB_RUN_ID),
  issue: { owner, repo, number: payload.pull_request && payload.pull_request.number } };
const issues = {
  listComments: async (p) => { api.calls.push('list'); return { data: api.comments.filter(c => c.issue === p.issue_number) }; },
  createComment: async (p) => { write('create'); api.comments.push({ id: api.comments.length + 1, issue: p.issue_number, body: p.body, user: { login: 'github-actions[bot]', type: 'Bot' } }); return { data: {} }; },
  updateComment: async (p) => { write('update'); api.comments.find(c => c.id === p.comment_id).body = p.body; return { data: {} }; },
};
const github = { rest: { issues }, paginate: async (fn, p) => (await fn(p)).data };
const core = { notice: m => console.log(`::notice::${m}`), warning: m => console.log(`::warning::${m}`),
  info: m => console.log(m), setFailed: m => { console.log(`::error::${m}`); process.exitCode = 1; } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptPath, 'utf8'))(require, github, context, core)
  .then(save, (e) => { save(); console.log(`::error::${e.message}`); process.exitCode = 1; });
"""



def source_repo(repo: Path, src: Path, git) -> Path:
    """A git repository at `src` holding this working tree's files (tests and benchmarks left
    out) in one commit on main: what the workflows check out."""
    listed = git(repo, "ls-files", "-co", "--exclude-standard").splitlines()
    for rel in listed:
        if (repo / rel).is_file() and not rel.startswith(("tests/", "bench/")):
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / rel, src / rel)
    git(src, "init", "-q", "-b", "main")
    git(src, "add", "-A")
    git(src, "commit", "-qm", "the site")
    return src


class Runner:
    """Runs a workflow's jobs the way GitHub's runner does, close enough for these two files."""

    def __init__(self, tmp: Path, workspace: Path, event: str, ref: str, sha: str, expressions: dict,
                 payload: dict, api: Path, cache: Path):
        self.workspace, self.expressions, self.api, self.cache = workspace, expressions, api, cache
        self.artifacts = tmp / "artifacts"   # this run's artifacts
        self.temp = tmp / "runner-temp"
        self.temp.mkdir(parents=True, exist_ok=True)
        self.ref, self.log, self.skipped, self.outputs, self.extra_env = ref, [], [], {}, {}
        self.matrix: dict = {}
        self.workflow_env: dict = {}
        self.fresh_workspace = None
        bin_dir = tmp / "bin"
        bin_dir.mkdir(exist_ok=True)
        shim = bin_dir / "docs-builder"
        shim.write_text('#!/bin/sh\nPYTHONPATH="$GITHUB_WORKSPACE" exec python3 -m builder "$@"\n')
        shim.chmod(0o755)
        event_path = tmp / "event.json"
        event_path.write_text(json.dumps(payload))
        self.step_summary = tmp / "step-summary.md"
        self.env = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": os.environ.get("HOME", str(tmp)),
            "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.temp), "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(event_path), "GITHUB_SHA": sha,
            "GITHUB_REF": ref, "GITHUB_REF_NAME": ref.removeprefix("refs/heads/"),
            "GITHUB_BASE_REF": payload.get("pull_request", {}).get("base", {}).get("ref", ""),
            "GITHUB_HEAD_REF": payload.get("pull_request", {}).get("head", {}).get("ref", ""),
            "GITHUB_REPOSITORY": "octo/docs", "GITHUB_REPOSITORY_OWNER": "octo",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "1234", "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_STEP_SUMMARY": str(self.step_summary),
        }

    def expr(self, text: str):
        if text.startswith("steps.") and text in self.outputs:
            return self.outputs[text]
        if text.startswith("matrix.") and text[7:] in self.matrix:
            return self.matrix[text[7:]]
        if text.startswith("env.") and text[4:] in self.workflow_env:
            return self.workflow_env[text[4:]]
        assert text in self.expressions, f"unknown expression ${{{{ {text} }}}}: add it to the test's table"
        return self.expressions[text]

    def sub(self, value):
        if isinstance(value, str):
            return EXPR.sub(lambda m: str(self.expr(m.group(1))), value)
        return value

    def condition(self, cond, failed: bool) -> bool:
        if cond is None:
            return not failed
        text = EXPR.fullmatch(cond.strip())
        text = text.group(1) if text else cond.strip()
        value = self.expr(text)
        assert isinstance(value, bool), text
        return value if any(f in text for f in STATUS_FUNCTIONS) else value and not failed

    def run_workflow(self, workflow: dict) -> dict[str, str]:
        """Runs the jobs in file order (a job's `needs` come before it in the files tested). A
        matrix job runs once per combination of its one-key matrix, each a job of its own: with
        `fresh_workspace` set (a callable giving a new checkout), every job starts from one, as
        on GitHub, where each job has its own runner."""
        results = {}
        self.workflow_env = {k: str(v) for k, v in workflow.get("env", {}).items()}
        for job_id, job in workflow["jobs"].items():
            needs = [job.get("needs")] if isinstance(job.get("needs"), str) else job.get("needs", [])
            failed = any(results[n] != "success" for n in needs)
            if not self.condition(job.get("if"), failed):
                results[job_id] = "skipped"
                continue
            matrix = job.get("strategy", {}).get("matrix", {})
            assert len(matrix) <= 1, "one matrix key is simulated"
            legs = [{key: value} for key, values in matrix.items() for value in values] or [{}]
            outcome = "success"
            for leg in legs:
                self.matrix = leg
                if self.fresh_workspace is not None:
                    self.workspace = self.fresh_workspace(f"{job_id}{''.join(f'-{v}' for v in leg.values())}")
                    self.env["GITHUB_WORKSPACE"] = str(self.workspace)
                    self.extra_env = {}
                if not self.run_job(workflow, job):
                    outcome = "failure"
            self.matrix = {}
            results[job_id] = outcome
        return results

    def run_job(self, workflow: dict, job: dict) -> bool:
        # YAML numbers in `env:` reach the process as strings, as on GitHub.
        env = self.job_env = {k: str(self.sub(v)) for k, v in {**workflow.get("env", {}), **job.get("env", {})}.items()}
        failed = False
        for step in job["steps"]:
            if not self.condition(step.get("if"), failed):
                self.skipped.append(step.get("name") or step.get("uses"))
                continue
            failed |= not self.run_step(step, env)
        return not failed

    def run_step(self, step: dict, job_env: dict) -> bool:
        env = {**self.env, **job_env, **self.extra_env, **{k: self.sub(v) for k, v in step.get("env", {}).items()}}
        if "run" in step:
            script = self.sub(step["run"])
            if re.search(r"\bpip install\b", script):
                self.skipped.append(step["name"])
                return True
            output, genv = self.temp / "output", self.temp / "env"
            output.write_text(""), genv.write_text("")
            env.update(GITHUB_OUTPUT=str(output), GITHUB_ENV=str(genv))
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                  cwd=self.workspace, env=env, capture_output=True, text=True)
            self.log.append(proc.stdout + proc.stderr)
            for line in output.read_text().splitlines():
                key, _, value = line.partition("=")
                self.outputs[f"steps.{step.get('id')}.outputs.{key}"] = value
            self.extra_env.update(line.split("=", 1) for line in genv.read_text().splitlines() if "=" in line)
            return proc.returncode == 0
        action = step["uses"].partition("@")[0]
        inputs = {k: self.sub(v) for k, v in step.get("with", {}).items()}
        return getattr(self, "action_" + action.split("/", 1)[1].replace("/", "_").replace("-", "_"))(inputs, env)

    def action_checkout(self, inputs, env):
        return (self.workspace / ".git").exists()

    def action_setup_python(self, inputs, env):
        return True

    def _entries(self):
        return sorted((json.loads(p.read_text()) | {"dir": p.parent} for p in self.cache.glob("*/meta.json")),
                      key=lambda e: e["created"], reverse=True)

    def action_cache_restore(self, inputs, env):
        # Caches of this ref and of the default branch are visible; a cache matches only under the
        # path it was saved with; the exact key first, then the newest entry for each prefix.
        visible = [e for e in self._entries() if e["ref"] in (self.ref, "refs/heads/main") and e["path"] == inputs["path"]]
        prefixes = [p for p in inputs.get("restore-keys", "").splitlines() if p.strip()]
        hit = next((e for e in visible if e["key"] == inputs["key"]), None)
        for prefix in prefixes:
            hit = hit or next((e for e in visible if e["key"].startswith(prefix.strip())), None)
        if hit:
            shutil.copytree(hit["dir"] / "data", self.workspace / inputs["path"], dirs_exist_ok=True, symlinks=True)
            self.log.append(f"restored cache {hit['key']}")
        return True

    def action_cache_save(self, inputs, env):
        if any(e["key"] == inputs["key"] for e in self._entries()):
            self.log.append(f"warning: cache {inputs['key']} exists")
            return True
        slot = self.cache / str(len(list(self.cache.iterdir())))
        shutil.copytree(self.workspace / inputs["path"], slot / "data", symlinks=True)
        meta = {"key": inputs["key"], "path": inputs["path"], "ref": self.ref, "created": len(list(self.cache.iterdir()))}
        (slot / "meta.json").write_text(json.dumps(meta))
        return True

    def action_upload_artifact(self, inputs, env):
        hidden = inputs.get("include-hidden-files") is True   # upload-artifact >= 4.4 leaves them out
        ignore = None if hidden else shutil.ignore_patterns(".*")
        shutil.copytree(self.workspace / inputs["path"], self.artifacts / inputs.get("name", "github-pages"), ignore=ignore)
        return True

    def action_download_artifact(self, inputs, env):
        # v4 with `pattern`: each artifact in a folder of its name or, with `merge-multiple`, all
        # of them into `path` (a file in several: the last one copied wins).
        dest = self.workspace / inputs.get("path", ".")
        found = sorted(p for p in self.artifacts.iterdir() if fnmatch.fnmatchcase(p.name, inputs["pattern"]))
        for artifact in found:
            if inputs.get("merge-multiple") is True:
                shutil.copytree(artifact, dest, symlinks=True, dirs_exist_ok=True)
            else:
                shutil.copytree(artifact, dest / artifact.name, symlinks=True)
        return bool(found)

    def action_upload_pages_artifact(self, inputs, env):
        # v3 tars the folder as it is, hidden files included (only .git and .github left out).
        shutil.copytree(self.workspace / inputs["path"], self.artifacts / inputs.get("name", "github-pages"),
                        ignore=shutil.ignore_patterns(".git", ".github"))
        return True

    def action_deploy_pages(self, inputs, env):
        return True

    def action_github_script(self, inputs, env):
        script, harness = self.temp / "script.js", self.temp / "harness.js"
        script.write_text(inputs["script"])
        harness.write_text(GITHUB_SCRIPT_HARNESS)
        proc = subprocess.run(["node", str(harness), str(script), str(self.api)],
                              cwd=self.workspace, env=env, capture_output=True, text=True)
        self.log.append(proc.stdout + proc.stderr)
        return proc.returncode == 0
