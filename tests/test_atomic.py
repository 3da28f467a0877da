import pytest

from synclr_lib.atomic import atomic_write


def test_writes_and_leaves_no_temporary(tmp_path):
    path = atomic_write(tmp_path / "sub" / "a.txt", lambda p: p.write_text("ok"))
    assert path.read_text() == "ok" and [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_failed_write_keeps_the_old_file(tmp_path):
    path = atomic_write(tmp_path / "a.txt", lambda p: p.write_text("old"))

    def crash(p):
        p.write_text("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(path, crash)
    assert path.read_text() == "old" and len(list(tmp_path.iterdir())) == 1
