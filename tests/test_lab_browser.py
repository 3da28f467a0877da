"""JupyterLab in a real browser: start `jupyter lab` on localhost with the settings `make lab`
passes, open a paired notebook (the .ipynb, and the committed .py itself) in headless Chromium
(Debian `chromium` + `chromium-driver`, installed by `make setup`) and check that its cells
render. Slow-ish (~30 s) but CI runs it: it is what a user does first.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                                reason="chromium/chromedriver missing: run `make setup`")


def make_lab_settings_dir() -> Path:
    """The app settings folder the Makefile's `lab` target hands to JupyterLab."""
    recipe = (ROOT / "Makefile").read_text().split("\nlab:", 1)[1].split("\n\n", 1)[0]
    match = re.search(r'--LabApp\.app_settings_dir="?\$\(CURDIR\)/([^"\s]+)"?', recipe)
    assert match, "make lab no longer passes --LabApp.app_settings_dir"
    return ROOT / match.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    import jupytext

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    src = ROOT / "notebooks" / "00_overview.py"
    shutil.copy(src, nbdir / src.name)
    jupytext.write(jupytext.read(src), nbdir / "00_overview.ipynb")  # the pairing `make lab` keeps
    shutil.copy(ROOT / "notebooks" / "jupytext.toml", nbdir / "jupytext.toml")  # Lab reads none above its root
    port, token = _free_port(), "synclr-test"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={nbdir}",
                             f"--LabApp.app_settings_dir={make_lab_settings_dir()}",
                             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                             *(["--allow-root"] if os.geteuid() == 0 else [])],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("jupyter lab exited: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("jupyter lab did not start in 60 s")
    yield base, token, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _chrome(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path / 'chrome'}"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def test_paired_notebook_renders_in_chromium(lab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, token, tmp_path = lab
    driver = _chrome(tmp_path)
    try:
        driver.get(f"{base}/lab/tree/00_overview.ipynb?token={token}")
        WebDriverWait(driver, 90).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")) >= 5)
        cells = driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")
        WebDriverWait(driver, 30).until(
            lambda d: "learning vision from models" in d.find_element(By.CSS_SELECTOR, ".jp-Notebook").text)
        text = driver.find_element(By.CSS_SELECTOR, ".jp-Notebook").text
        assert "profile = " in text  # the parameters cell's code is rendered
        assert len(cells) >= 5
        driver.save_screenshot(str(tmp_path / "lab.png"))
    finally:
        driver.quit()


def test_committed_py_opens_as_notebook_in_chromium(lab):
    """A double click (Lab's default viewer) on the committed .py shows a notebook, not text,
    and saving it unchanged leaves the file byte-identical."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    base, token, tmp_path = lab
    py = tmp_path / "notebooks" / "00_overview.py"
    before = py.read_bytes()
    driver = _chrome(tmp_path)
    try:
        driver.get(f"{base}/lab/tree/00_overview.py?token={token}")
        WebDriverWait(driver, 90).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")) >= 5)
        WebDriverWait(driver, 30).until(
            lambda d: "learning vision from models" in d.find_element(By.CSS_SELECTOR, ".jp-Notebook").text)
        text = driver.find_element(By.CSS_SELECTOR, ".jp-Notebook").text
        assert "profile = " in text
        assert "# %%" not in text  # cells, not the py:percent source in a text editor
        assert driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown h1")
        driver.save_screenshot(str(tmp_path / "lab-py.png"))
        ipynb = tmp_path / "notebooks" / "00_overview.ipynb"
        saved_at = ipynb.stat().st_mtime_ns
        driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell").click()
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
        WebDriverWait(driver, 30).until(lambda d: ipynb.stat().st_mtime_ns != saved_at)  # Lab saved the pair
    finally:
        driver.quit()
    assert py.read_bytes() == before
