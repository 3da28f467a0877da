"""Data flows one way: no package of the library imports one above it (README, contributor's
map), and the REPORT never imports training (it reads the studies' tables)."""
import ast
from pathlib import Path

import synclr_lib

FLOW = ["world", "captions", "images", "data", "models", "train", "evaluate", "studies", "report"]
RANK = {**{p: i for i, p in enumerate(FLOW)}, "losses": FLOW.index("models")}  # models and losses side by side
ROOT = Path(synclr_lib.__file__).parent


def _imported_packages(path: Path, package: str):
    """(line, package) of every synclr_lib package that `path` (inside `package`) imports."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0 and (node.module or "").startswith("synclr_lib."):
            yield node.lineno, node.module.split(".")[1]
        elif node.level == 1 and path.parent.name == package and node.module:
            continue  # a sibling module of the same package
        elif node.level == 2:
            yield node.lineno, (node.module or node.names[0].name).split(".")[0]


def test_no_package_imports_one_above_it():
    upward = []
    for path in sorted(ROOT.rglob("*.py")):
        package = path.relative_to(ROOT).parts[0]
        if package not in RANK or path.parent == ROOT:
            continue
        upward += [f"{path.relative_to(ROOT)}:{line} imports {target}"
                   for line, target in _imported_packages(path, package)
                   if target in RANK and RANK[target] > RANK[package]]
    assert not upward, "\n".join(upward)


def test_the_report_does_not_import_training():
    imports = [(p.name, t) for p in (ROOT / "report").glob("*.py") for _, t in _imported_packages(p, "report")]
    assert imports and not [i for i in imports if i[1] == "train"]
