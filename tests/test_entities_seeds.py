"""The curated seed: well-formed CSVs that match the tables, all countries, regeneration keeps
rows that users added."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry

from newsetl.entities.gazetteer import build_gazetteer, seed_dir
from newsetl.entities.seed import build as seeds


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_seed_files_match_tables_and_reference_known_entities() -> None:
    entities = read(seed_dir() / "entities.csv")
    aliases = read(seed_dir() / "entity_aliases.csv")
    assert list(entities[0]) == list(seeds.ENTITY_COLUMNS)
    assert list(aliases[0]) == list(seeds.ALIAS_COLUMNS)
    ids = {row["entity_id"] for row in entities}
    assert len(ids) == len(entities)
    assert {row["entity_id"] for row in aliases} <= ids
    assert all(row["language"] and row["alias"].strip() for row in aliases)
    countries = {i for i in ids if i.startswith("country:")}
    assert countries == {f"country:{c.alpha_2}" for c in pycountry.countries}
    for required in ("org:united-nations", "org:who", "org:imf", "org:world-bank", "org:nato",
                     "org:oecd", "org:g7", "org:g20", "org:ecb", "org:icj", "city:geneva"):  # fmt: skip
        assert required in ids


def test_regeneration_keeps_user_rows(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(
        "entity_id,name,type,source\norg:my-ngo,My NGO,organisation,user\n", encoding="utf-8"
    )
    (tmp_path / "entity_aliases.csv").write_text(
        "entity_id,alias,language,source\norg:my-ngo,Mia ONG,it,user\n", encoding="utf-8"
    )
    n_entities, n_aliases = seeds.write_seeds(tmp_path)
    entities = read(tmp_path / "entities.csv")
    aliases = read(tmp_path / "entity_aliases.csv")
    assert len(entities) == n_entities and len(aliases) == n_aliases
    assert {
        "entity_id": "org:my-ngo",
        "name": "My NGO",
        "type": "organisation",
        "source": "user",
    } in entities
    assert {
        "entity_id": "org:my-ngo",
        "alias": "Mia ONG",
        "language": "it",
        "source": "user",
    } in aliases
    # the regenerated files are what the repository ships
    assert n_entities == len(read(seed_dir() / "entities.csv")) + 1


def test_user_rows_are_used_by_the_gazetteer(tmp_path: Path) -> None:
    seeds.write_seeds(tmp_path)
    with (tmp_path / "entity_aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:my-ngo,Mia ONG,it,user\n")
    with (tmp_path / "entities.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:my-ngo,My NGO,organisation,user\n")
    gaz = build_gazetteer(tmp_path, with_geonames=False)
    [alias] = gaz.lookup(("mia", "ong"))
    assert (alias.entity_id, alias.type, alias.language) == ("org:my-ngo", "organisation", "it")


# --- the user's extra seed folders (Settings.extra_seed_dirs) ----------------------------------


def _user_seed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entities.user.csv").write_text(
        "entity_id,name,type,source\n"
        "org:cdp,Cassa Depositi e Prestiti,organisation,user\n"
        "org:fietsbond,Fietsersbond,organisation,user\n",
        encoding="utf-8",
    )
    (folder / "entity_aliases.user.csv").write_text(
        "entity_id,alias,language,source\n"
        "org:cdp,Cassa Depositi e Prestiti,mul,user\n"
        "org:cdp,CDP,mul,user\n"
        "org:fietsbond,Fietsersbond,nl,user\n",
        encoding="utf-8",
    )
    return folder


def test_extra_seed_dirs_are_matched_in_text(tmp_path: Path) -> None:
    from newsetl.entities import extract_entities

    text = "Secondo la Cassa Depositi e Prestiti il fondo è pronto; CDP investirà a Roma."
    plain = extract_entities(text, "it")
    assert "org:cdp" not in {e.canonical_id for e in plain.entities}
    folder = _user_seed(tmp_path / "seeds")
    doc = extract_entities(text, "it", seed_dirs=[folder])
    cdp = next(e for e in doc.entities if e.canonical_id == "org:cdp")
    assert [m.surface for m in cdp.mentions] == ["Cassa Depositi e Prestiti", "CDP"]
    assert cdp.type == "organisation"
    # the repository's names are still there
    assert "city:rome" in {e.canonical_id for e in doc.entities}


def test_gazetteer_is_cached_per_set_of_dirs(tmp_path: Path) -> None:
    from newsetl.entities.gazetteer import get_gazetteer

    folder = _user_seed(tmp_path / "seeds")
    with_user = get_gazetteer([folder])
    assert get_gazetteer([str(folder)]) is with_user  # same folder, written another way
    assert get_gazetteer() is not with_user
    assert with_user.lookup(("fietsersbond",)) and not get_gazetteer().lookup(("fietsersbond",))


def test_cli_takes_seed_dirs(tmp_path: Path, capsys) -> None:
    import json

    from newsetl.cli import main

    folder = _user_seed(tmp_path / "seeds")
    text = tmp_path / "nl.txt"
    text.write_text("De Fietsersbond wil bredere fietspaden in Utrecht.", encoding="utf-8")
    assert main(["entities", str(text), "--json", "-l", "nl", "--seed-dir", str(folder)]) == 0
    ids = {e["id"] for e in json.loads(capsys.readouterr().out)["entities"]}
    assert {"org:fietsbond", "city:utrecht"} <= ids


def test_ingest_uses_the_settings_seed_dirs(tmp_path: Path, monkeypatch) -> None:
    """The bundled samples, ingested with a user seed: the warehouse's mentions carry the
    user's entity, as the warehouse's entity table does."""
    import duckdb

    from newsetl.ingest import run_ingest
    from newsetl.settings import Settings

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    folder = _user_seed(tmp_path / "seeds")
    settings = Settings(
        db_path=tmp_path / "w.duckdb", per_host_interval_s=0.0, workers=1, page_timeout_s=0,
        extra_seed_dirs=(folder,),
    )  # fmt: skip
    assert run_ingest(None, settings).status == "completed"
    con = duckdb.connect(str(settings.db_path), read_only=True)
    surfaces = {
        s
        for (s,) in con.execute(
            "SELECT surface FROM mentions WHERE entity_id = 'org:cdp'"
        ).fetchall()
    }
    assert "Cassa Depositi e Prestiti" in surfaces
    assert con.execute("SELECT source FROM entities WHERE entity_id = 'org:cdp'").fetchone() == (
        "user",
    )


def test_extending_the_default_index_matches_a_full_build(tmp_path: Path) -> None:
    """The user's rows on top of the shared default index give the same look-ups as building
    everything from the files, and the default index is left as it was."""
    from newsetl.entities.gazetteer import extend_gazetteer, get_gazetteer

    folder = _user_seed(tmp_path / "seeds")
    # a user row that retypes a repository entity, and a German name that gets case forms
    with (folder / "entities.user.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:bundesbank,Deutsche Bundesbank,central-bank,user\n")
        fh.write("org:wasserverband,Wasserverband Eifel,organisation,user\n")
    with (folder / "entity_aliases.user.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:wasserverband,Wasserverband Eifel,de,user\n")
    base = get_gazetteer()
    extended = extend_gazetteer(base, [folder])
    full = build_gazetteer(extra_dirs=[folder])
    for key in [
        ("cassa", "depositi", "e", "prestiti"),
        ("cdp",),
        ("fietsersbond",),
        ("bundesbank",),
        ("wasserverband", "eifels"),
        ("deutschlands",),
        ("geneva",),
    ]:
        got = [(a.entity_id, a.type, a.surface) for a in extended.lookup(key)]
        want = [(a.entity_id, a.type, a.surface) for a in full.lookup(key)]
        assert got and got == want, key
    assert extended.lookup(("bundesbank",))[0].type == "central-bank"
    assert base.lookup(("bundesbank",))[0].type == "organisation"  # not changed
    assert not base.lookup(("cdp",))
    assert ("wasserverband",) in extended.prefixes and ("wasserverband",) not in base.prefixes


def test_the_seed_package_regenerates_the_committed_csvs(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "newsetl.entities.seed", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "wrote" in out.stdout
    for name in ("entities.csv", "entity_aliases.csv"):
        assert (tmp_path / name).read_bytes() == (seed_dir() / name).read_bytes(), name


def test_runtime_modules_do_not_import_the_build_time_seed_package() -> None:
    import ast

    package = Path(__file__).resolve().parents[1] / "src" / "newsetl" / "entities"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(("seed", "newsetl.entities.seed")), path


def test_an_alias_unpickles_by_a_call_of_its_class() -> None:
    """The gazetteer's disk cache holds ~60,000 aliases: each must come back by one call of
    ``Alias`` (no BUILD opcode, i.e. not through dataclasses' Python ``__setstate__``, which
    made the cache's load a third slower in the pool's warm-up), and equal to the original."""
    import pickle
    import pickletools

    from newsetl.entities.gazetteer import Alias

    alias = Alias("city:geneva", "Genève", "fr", "city", "Geneva", minor=True)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        data = pickle.dumps([alias, alias], protocol=protocol)
        opcodes = {op.name for op, _arg, _pos in pickletools.genops(data)}
        assert "BUILD" not in opcodes
        first, second = pickle.loads(data)
        assert first == alias and first is second  # shared objects stay shared
