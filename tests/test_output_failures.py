"""Output that fails for real, through the installed command in a subprocess: a reader
that goes away (``| head``), a disk that fills up midway, a full device on stdout, and
targets the process may not write. Nothing is patched: the kernel says no.

The process runs as root here, and root writes anywhere; the unwritable cases therefore
run the command without the capabilities that let root ignore file permissions
(``setpriv --bounding-set=-dac_override,...``), and the full disk is a small tmpfs this
test mounts (needs root, which CI has).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paysieve.inference.cli import EXIT_OUTPUT

REPO = Path(__file__).parents[1]
LINES = 3_000  # about 200 KB of `predict` rows: more than a pipe or the small disk holds
NO_DAC = ["--bounding-set=-dac_override,-dac_read_search,-fowner"]


def paysieve(*args, **kwargs) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "paysieve", *map(str, args)]
    return subprocess.run(command, cwd=REPO, capture_output=True, **kwargs)


def without_root_override(*args) -> subprocess.CompletedProcess:
    """The command as root without the capabilities that bypass file permissions."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0:
        return paysieve(*args)  # an ordinary user is refused by the permissions anyway
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is not installed")
    command = [setpriv, *NO_DAC, "--", sys.executable, "-m", "paysieve", *map(str, args)]
    return subprocess.run(command, cwd=REPO, capture_output=True)


@pytest.fixture(scope="module")
def big_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("input") / "big.txt"
    rng = random.Random(18)  # words that do not compress away, for the gzipped target
    lines = [
        f"The council met on Monday about item {i} of the budget, file {rng.getrandbits(256):x}."
        for i in range(LINES)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_reader_that_stops_early_ends_the_run_quietly(big_page, small_model_path, tmp_path):
    """`paysieve predict big.txt | head -n 1`: exit 0, no traceback, no error line."""
    err, code = tmp_path / "stderr", tmp_path / "code"
    script = (
        f"{sys.executable} -m paysieve predict {big_page} -m {small_model_path} 2>{err}"
        f" | head -n 1; echo ${{PIPESTATUS[0]}} > {code}"
    )
    head = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True)
    assert head.stdout.count("\n") == 1 and "item 0 of the budget" in head.stdout
    assert code.read_text().strip() == "0"
    assert err.read_text() == ""


def test_a_full_device_on_stdout_is_an_output_error():
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "paysieve", "clean", "examples/article.txt"],
            cwd=REPO,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert result.returncode == EXIT_OUTPUT
    assert result.stderr == "paysieve: error: output: No space left on device\n"


@pytest.fixture()
def small_disk(tmp_path):
    """A 32 KiB tmpfs mounted for the test (root only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("mount -t tmpfs failed (no CAP_SYS_ADMIN in this container)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("name", ["labels.txt", "labels.txt.gz"])
def test_a_disk_filling_up_midway_leaves_the_target_as_it_was(
    small_disk, big_page, small_model_path, name
):
    target = small_disk / name
    target.write_text("previous\n")
    result = paysieve("predict", big_page, "-o", target, "-m", small_model_path, text=True)
    assert result.returncode == EXIT_OUTPUT, result.stderr
    assert result.stderr.startswith("paysieve: error: ")
    assert "No space left on device" in result.stderr and result.stderr.count("\n") == 1
    assert target.read_text() == "previous\n"
    assert [p.name for p in small_disk.iterdir()] == [name]  # no temporary file left


def test_an_existing_read_only_target_is_refused(big_page, small_model_path, tmp_path):
    target = tmp_path / "labels.txt"
    target.write_text("previous\n")
    target.chmod(0o444)
    result = without_root_override("clean", big_page, "-o", target, "-m", small_model_path)
    assert result.returncode == EXIT_OUTPUT, result.stderr
    assert (
        result.stderr.decode() == f"paysieve: error: {target}: cannot write (permission denied)\n"
    )
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["labels.txt"]


def test_a_target_in_a_read_only_directory_is_refused(big_page, small_model_path, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "labels.txt"
    target.write_text("previous\n")
    folder.chmod(0o555)
    try:
        result = without_root_override("clean", big_page, "-o", target, "-m", small_model_path)
    finally:
        folder.chmod(0o755)
    assert result.returncode == EXIT_OUTPUT, result.stderr
    assert result.stderr.decode().startswith(f"paysieve: error: {target}: cannot write")
    assert result.stderr.count(b"\n") == 1 and b"Traceback" not in result.stderr
    assert target.read_text() == "previous\n"
    assert [p.name for p in folder.iterdir()] == ["labels.txt"]
