"""--force rebuilds the named stage only; --force-all / FORCE=all rebuilds what it reads too."""
import pytest

from synclr_lib import cache, stages
from synclr_lib.__main__ import main

SMOKE = ["--profile", "smoke", "--set", "run.threads=1"]


@pytest.fixture
def two_stages(monkeypatch, tmp_path):
    """Stages t_up -> t_down (t_down reads t_up under two names); returns the build log."""
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    for name in ("FORCE", cache.FORCE_RUN_ENV):  # main() sets them: restored after the test
        monkeypatch.setenv(name, "")
    log = []

    def up(cfg, out, inputs):
        log.append("up")

    def down(cfg, out, inputs):
        log.append("down")

    def reads_up_twice(cfg):
        return {"first": stages.Upstream("t_up", cfg), "second": stages.Upstream("t_up", cfg)}

    stages.registry()
    monkeypatch.setitem(stages._REGISTRY, "t_up", stages.Stage("t_up", lambda cfg: {"seed": cfg.run.seed}, up))
    monkeypatch.setitem(stages._REGISTRY, "t_down", stages.Stage("t_down", lambda cfg: {}, down, reads_up_twice))
    return log


def _stamps():
    from synclr_lib.config import resolve

    cfg = resolve("smoke")
    return {name: (stages.artifact_path(name, cfg) / cache.META).stat().st_mtime_ns for name in ("t_up", "t_down")}


def test_force_rebuilds_the_named_stage_only(two_stages, monkeypatch):
    assert main(["t_down", *SMOKE]) == 0
    assert two_stages == ["up", "down"]  # what a build reads is built first
    before = _stamps()
    assert main(["t_down", *SMOKE, "--force"]) == 0
    assert two_stages == ["up", "down", "down"]
    after = _stamps()
    assert after["t_up"] == before["t_up"] and after["t_down"] != before["t_down"]
    monkeypatch.setenv("FORCE", "1")  # FORCE=1 is --force
    assert main(["t_down", *SMOKE]) == 0
    assert two_stages == ["up", "down", "down", "down"] and _stamps()["t_up"] == before["t_up"]


@pytest.mark.parametrize("how", [["--force-all"], "all"])
def test_force_all_rebuilds_upstream_once(two_stages, monkeypatch, how):
    assert main(["t_down", *SMOKE]) == 0
    before = _stamps()
    if how == "all":
        monkeypatch.setenv("FORCE", "all")
    assert main(["t_down", *SMOKE, *(how if how != "all" else [])]) == 0
    assert two_stages == ["up", "down", "up", "down"]  # t_up read twice, rebuilt once
    after = _stamps()
    assert after["t_up"] != before["t_up"] and after["t_down"] != before["t_down"]


def test_force_names_stages(two_stages, monkeypatch, capsys):
    assert main(["t_down", *SMOKE]) == 0
    monkeypatch.setenv("FORCE", "t_up")
    assert main(["t_up", *SMOKE]) == 0
    assert two_stages == ["up", "down", "up"]
    monkeypatch.setenv("FORCE", "t_up,nope")
    assert main(["t_up", *SMOKE]) == 2
    err = capsys.readouterr().err
    assert "unknown stage(s) nope" in err and err.count("\n") == 1


def test_help_says_what_force_rebuilds(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "rebuild the named stage even if cached; the stages it reads are reused" in text
    assert "--force-all" in text and "FORCE=all" in text
