import pytest

from paysieve.documents.atomic_file import AtomicFile, default_file_mode


def test_success_replaces_target_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with AtomicFile(target) as fh:
        fh.write(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_new_target_gets_the_mode_of_a_new_file(tmp_path):
    target = tmp_path / "new.bin"
    with AtomicFile(target) as fh:
        fh.write(b"data")
    assert target.stat().st_mode & 0o777 == default_file_mode()


def test_error_leaves_target_untouched_and_no_temp_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), AtomicFile(target) as fh:
        fh.write(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_unwritable_directory_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        AtomicFile(tmp_path / "missing-dir" / "out.bin")
