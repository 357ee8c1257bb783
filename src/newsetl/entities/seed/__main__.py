"""``python -m newsetl.entities.seed``: regenerate ``warehouse/seeds/entities.csv`` and
``entity_aliases.csv`` from the curated data (build time only; see :mod:`.build`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .build import SEED_DIR, write_seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsetl.entities.seed", description=__doc__)
    parser.add_argument("--out", type=Path, default=SEED_DIR, help=f"folder (default {SEED_DIR})")
    args = parser.parse_args(argv)
    n_entities, n_aliases = write_seeds(args.out)
    print(f"wrote {n_entities} entities and {n_aliases} aliases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
