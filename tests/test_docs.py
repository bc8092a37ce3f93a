"""The README and docs/ say what works: their commands run on the files that ship in
examples/, their example code is the tested code, their links resolve.

Every command in a ``sh`` block either runs here (in a scratch folder holding a copy of
examples/) or is listed in ``NOT_RUN`` with the reason, so that a new command cannot slip
in unchecked. A command whose comment says ``(exit N)`` must fail with exit N and one
``paysieve: error:`` line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paysieve.model.persistence import default_model_path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent

RUN_PREFIXES = ("paysieve ", "cat examples/", "python examples/", "python -m paysieve ")
NOT_RUN = {
    "make ": "make targets: CI runs make test and make dist-check; the benchmark targets need "
    "the benchmark data, which is not part of the repository",
    "pip install ": "installs packages; make dist-check installs the built wheel",
    "python -m build": "make dist-check builds the wheel and the sdist",
    "python benchmarks/": "needs the benchmark data",
    "PAYSIEVE_FUZZ_DOCS=": "a long fuzz run; make test runs the short one",
    "paysieve train ": "trains for one to two minutes: run by hand for the docs (training "
    "itself is tested on small data)",
    "python -m paysieve.inference.dask_scoring ": "starts a Dask cluster (about 12 s): "
    "tests/test_dask_scoring.py runs this command line",
}
_COMMENT = re.compile(r"\s+#\s.*$")
_EXIT = re.compile(r"#.*\(exit (\d+)\)")


def code_blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)


def shell_commands() -> list[tuple[str, str, int]]:
    """(doc name, command, expected exit code) of every command in the docs' sh blocks."""
    commands = []
    for path in DOCS:
        for block in code_blocks(path, "sh"):
            for line in block.splitlines():
                command = _COMMENT.sub("", line).strip()
                if command:
                    expected = _EXIT.search(line)
                    commands.append((path.name, command, int(expected[1]) if expected else 0))
    return commands


def runs(command: str) -> bool:
    if command.startswith(tuple(NOT_RUN)):
        return False
    assert command.startswith(RUN_PREFIXES), f"not run and not in NOT_RUN: {command}"
    return True


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A scratch folder holding examples/, datasets/ and a stand-in for a model the docs
    trained."""
    folder = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "datasets").symlink_to(ROOT / "datasets")
    shutil.copyfile(default_model_path(), folder / "my-model.joblib")
    return folder


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = os.environ | {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HF_HOME": str(cwd / "hf"),
        "OMP_NUM_THREADS": "1",
    }
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def _params():
    seen = set()
    for doc, command, code in shell_commands():
        if command in seen or not runs(command):
            continue
        seen.add(command)
        yield pytest.param(command, code, id=f"{doc}: {command}")


@pytest.mark.parametrize(("command", "code"), list(_params()))
def test_documented_command_works(command, code, workdir):
    result = run_shell(command, workdir)
    assert "Traceback" not in result.stderr
    assert result.returncode == code, result.stderr
    if code:
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("paysieve: error: ")


def test_commands_not_run_are_still_documented():
    """Each NOT_RUN entry names commands the docs hold (no stale excuses)."""
    commands = [command for _, command, _ in shell_commands()]
    for prefix in NOT_RUN:
        assert any(c.startswith(prefix) for c in commands), prefix


def test_readme_before_and_after_are_what_clean_prints(workdir):
    before, after = code_blocks(ROOT / "README.md", "text")[:2]
    article = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8").splitlines()
    assert before.splitlines() == article[article.index(before.splitlines()[0]) :][:7]
    cleaned = run_shell("paysieve clean examples/article.txt", workdir).stdout.splitlines()
    assert cleaned[-len(after.splitlines()) :] == after.splitlines()
    for line in set(before.splitlines()) - set(after.splitlines()):
        assert line not in cleaned


def test_readme_library_example_prints_what_its_comments_say(workdir):
    [block] = code_blocks(ROOT / "README.md", "python")
    result = run_shell(f"python - <<'EOF'\n{block}EOF", workdir)
    assert result.returncode == 0, result.stderr
    assert "['pricing', 'pricing', 'account']" in result.stdout
    assert "True False\n" in result.stdout
    assert "Subscribe now" not in result.stdout.split("PaywallVerdict")[0]


def test_html_input_library_example_runs(workdir):
    [block] = code_blocks(ROOT / "docs" / "html-input.md", "python")
    result = run_shell(f"python - <<'EOF'\n{block}EOF", workdir)
    assert result.returncode == 0, result.stderr
    assert "Harbour town votes" in result.stdout


def test_code_shown_from_examples_is_the_tested_code():
    """A python block that starts with ``# examples/NAME.py`` is a verbatim excerpt of it."""
    excerpts = 0
    for path in DOCS:
        for block in code_blocks(path, "python"):
            first, _, rest = block.partition("\n")
            if first.startswith("# examples/"):
                excerpts += 1
                source = (ROOT / first.removeprefix("# ")).read_text(encoding="utf-8")
                assert rest in source, f"{path.name}: excerpt of {first[2:]} differs from it"
    assert excerpts >= 2


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_relative_links_resolve():
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            assert linked.exists(), f"{path.name}: {target}"
            if anchor:
                assert anchor in _anchors(linked), f"{path.name}: {target}"


def test_readme_is_a_five_minute_read():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250
