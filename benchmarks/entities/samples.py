"""End-to-end check on the bundled sample corpus: ingest it (in process, no Prefect server) into a
temporary warehouse with entity extraction on, recompute story clusters and print what links
articles across languages.

Run: ``.venv/bin/python benchmarks/entities/samples.py [--db PATH]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from newsetl import warehouse
from newsetl.entities import refresh_story_clusters
from newsetl.ingest import run_ingest
from newsetl.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: temporary)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsetl-entities-") as tmp:
        db = args.db or Path(tmp) / "samples.duckdb"
        settings = Settings(db_path=db, per_host_interval_s=0.0, entities=True)
        t0 = time.perf_counter()
        run_ingest(None, settings)
        elapsed = time.perf_counter() - t0
        con = warehouse.connect(db)
        con.execute("BEGIN TRANSACTION")
        stories = refresh_story_clusters(con)
        con.execute("COMMIT")
        articles = con.execute("SELECT count(*) FROM entity_articles").fetchone()[0]
        mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        entities = con.execute("SELECT count(DISTINCT entity_id) FROM mentions").fetchone()[0]
        print(f"ingest {elapsed:.1f} s: {articles} articles, {mentions} mentions, {entities} entities,"
              f" {stories} story clusters")  # fmt: skip
        print("\nstories across languages:")
        for story_id, langs, titles in con.execute(
            "SELECT story_id, language_list, titles FROM stories_across_languages ORDER BY story_id"
        ).fetchall():
            print(f"  {story_id} {langs}")
            for title in titles:
                print(f"      {title}")
        print("\nentities named in three or more languages:")
        for entity_id, name, langs, surfaces in con.execute(
            """SELECT m.entity_id, any_value(e.name), list(DISTINCT a.language ORDER BY a.language),
                      list(DISTINCT m.surface ORDER BY m.surface)
               FROM mentions m JOIN entity_articles a USING (article_id)
               LEFT JOIN entities e USING (entity_id)
               GROUP BY m.entity_id HAVING count(DISTINCT a.language) >= 3
               ORDER BY count(DISTINCT a.language) DESC, m.entity_id"""
        ).fetchall():
            print(f"  {entity_id:<36} {name:<28} {','.join(langs):<16} {' | '.join(surfaces)}")
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
