"""environment.yml (conda users) must name the same packages as pyproject.toml + setup."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    no_deps = set(re.search(r"^NO_DEPS_PACKAGES := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split())
    env_text = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    listed = {_name(m) for m in re.findall(r"^\s*- (?!pip$|python=|pip:)([A-Za-z0-9_.\-]+.*)$", env_text, re.M)}
    listed_no_deps = set(re.findall(r"\(no-deps: ([\w\-]+)\)", env_text))
    assert listed == wanted, (listed ^ wanted)
    assert listed_no_deps == no_deps


def test_no_torchvision_or_timm():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    assert not names & {"torchvision", "timm"}


def test_notebook_progress_bars_find_their_widget():
    """Without ipywidgets every tqdm bar in a notebook warned "IProgress not found" (issue 26)."""
    from tqdm import notebook

    assert notebook.IProgress is not None
