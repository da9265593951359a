"""The stages import only downwards: a module may use its own stage and the stages below it, never one above
or one beside it on the same floor. A new import that breaks this fails here, with the line that does it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "guidebot"

# From the bottom up. Stages on one floor do not know each other (the store keeps an answer through its own
# StorableAnswer protocol, not the engine's class).
FLOORS = [
    {"guidebot", "errors", "documents"},
    {"config"},
    {"ingest", "privacy"},
    {"chunking"},
    {"index"},
    {"retrieval"},
    {"answer", "store"},
    {"console"},
    {"evals"},
    {"api", "bench"},
    {"cli"},
]
FLOOR = {stage: n for n, stages in enumerate(FLOORS) for stage in stages}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every guidebot module the file imports, at the top or inside a function, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from guidebot import x": a stage when x is one, else a name of the package itself
            names = (
                [node.module]
                if node.module != "guidebot"
                else [f"guidebot.{a.name}" if a.name in FLOOR else "guidebot" for a in node.names]
            )
            found += [(node.lineno, n) for n in names if n.split(".")[0] == "guidebot"]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "guidebot"]
    return found


def test_every_stage_has_a_floor() -> None:
    stages = {p.stem if p.is_file() else p.name for p in SRC.iterdir() if not p.name.startswith(("_", "."))}
    stages = {s for s in stages if (SRC / s).is_dir() or (SRC / f"{s}.py").is_file()} - {"py"}
    assert stages <= set(FLOOR), f"give {sorted(stages - set(FLOOR))} a floor in FLOORS"


def test_imports_point_down() -> None:
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent)
        importer = _stage(".".join(rel.with_suffix("").parts))
        if importer == "__init__":
            importer = "guidebot"
        for line, module in _imports(path):
            imported = _stage(module)
            if imported == importer:
                continue
            if FLOOR[imported] >= FLOOR[importer]:
                wrong.append(
                    f"{rel}:{line} ({importer}, floor {FLOOR[importer]}) imports {module} (floor {FLOOR[imported]})"
                )
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The parser finds imports inside functions too (the cli and benchmarks import late)."""
    path = tmp_path / "x.py"
    path.write_text(
        "def f():\n    from guidebot.api.app import create_app\n    import guidebot.cli\n", encoding="utf-8"
    )
    assert _imports(path) == [(2, "guidebot.api.app"), (3, "guidebot.cli")]


def test_the_readme_stage_table_matches_the_folders() -> None:
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| stage | folder |") :].split("\n\n")[0]
    listed = [line.split("`")[1] for line in table.splitlines() if line.startswith("| ") and "`src/guidebot/" in line]
    folders = sorted(f"src/guidebot/{p.name}/" for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert sorted(listed) == folders
    floors = [FLOOR[f.split("/")[2]] for f in listed]
    assert floors == sorted(floors), "list the stages from the bottom floor up"
