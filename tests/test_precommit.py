"""The real pre-commit hook: `pre-commit try-repo` against this checkout, in a fresh git
repository holding good and bad specs, Keras model code (a good and a bad model.py, a training
script and helpers that build no model), and unrelated YAML, JSON and Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLES

GOOD = (SAMPLES / "unet.yaml").read_text()
BAD = GOOD.replace("[160, 160, 8]", "[100, 100, 8]")
UNRELATED = {
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu\n",
    "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
    "package.json": '{"name": "web", "version": "1.0.0", "dependencies": {}}\n',
    "broken-but-unrelated.yaml": "key: [unclosed\n",
    "scripts/helpers.py": "import os\n\n\ndef here():\n    return os.getcwd()\n",
    "train.py": "import keras\n\nEPOCHS = 3\n",  # imports Keras, builds no model
}
CODE = Path(__file__).parent / "fixtures" / "python"
GOOD_CODE = (CODE / "unet_loop_upconv.py").read_text()
BAD_CODE = (CODE / "refused_unet_odd_size.py").read_text()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            "deconvcheck",
            "--all-files",
            "--verbose",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    assert shutil.which("git"), "git is needed to run pre-commit"
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "test")
    for name, text in UNRELATED.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    # Enough specs that pre-commit splits the file list across parallel hook processes.
    for i in range(40):
        (repo / f"models/good_{i:02d}.yaml").parent.mkdir(exist_ok=True)
        (repo / f"models/good_{i:02d}.yaml").write_text(GOOD)
    (repo / "models/bad_unet_100.yaml").write_text(BAD)
    (repo / "models/unet.py").write_text(GOOD_CODE)
    (repo / "models/tiles.py").write_text(BAD_CODE)
    git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    failing = try_repo(repo, home)
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "models/bad_unet_100.yaml:51:5: DC201 Concatenate 'up7' cannot join" in output
    # the model code Keras refuses: a 100x100 tile whose third pooling floors 25 to 12
    assert "models/tiles.py:21:13: DC201 Concatenate 'concatenate' cannot join" in output
    assert "models/unet.py" not in output
    assert [line for line in output.splitlines() if ": DC" in line and "good_" in line] == []
    for name in UNRELATED:
        assert name not in output

    (repo / "models/bad_unet_100.yaml").unlink()
    (repo / "models/tiles.py").unlink()
    git(repo, "add", "-A")
    passing = try_repo(repo, home)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
