"""Progress bars: text on stderr under the notebook runner (it forwards them to the terminal)."""
from synclr_lib.progress import TEXT_ENV, tqdm


def test_text_bars_under_the_runner(monkeypatch, capsys):
    monkeypatch.setenv(TEXT_ENV, "1")
    for _ in tqdm(range(3), desc="work", mininterval=0):
        pass
    err = capsys.readouterr().err
    assert "work" in err and "3/3" in err
