"""Turn ``*_annotated.txt`` (inline ``[[surface|cluster|type]]`` marks) into JSONL gold files.

Why a converter: character offsets are error-prone to type by hand, while inline marks are easy to
write and review. The JSONL keeps the plain text plus exact ``start``/``end`` offsets into it, which is
what the scorer (``run.py``) compares against.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\[\[([^|\]]+)\|([^|\]]+)(?:\|([^|\]]+))?\]\]")
HEADER = re.compile(r"^### (.+)$", re.M)


def parse_document(header: str, body: str, types: dict[str, str]) -> dict:
    doc_id, language, published_at, story, mt = (part.strip() for part in header.split("|"))
    text_parts: list[str] = []
    mentions: list[dict] = []
    pos = 0
    length = 0
    for match in MARK.finditer(body):
        before = body[pos : match.start()]
        text_parts.append(before)
        length += len(before)
        surface, cluster, etype = match.group(1), match.group(2), match.group(3)
        if etype:
            types.setdefault(cluster, etype)
        mentions.append(
            {"start": length, "end": length + len(surface), "surface": surface, "cluster": cluster}
        )
        text_parts.append(surface)
        length += len(surface)
        pos = match.end()
    text_parts.append(body[pos:])
    text = "".join(text_parts)
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["surface"]
    return {
        "doc_id": doc_id,
        "language": language,
        "published_at": published_at,
        "story": story,
        "machine_translated": mt == "yes",
        "text": text,
        "mentions": mentions,
    }


def convert(source_name: str, target_name: str) -> None:
    source = (HERE / source_name).read_text(encoding="utf-8")
    source = "\n".join(line for line in source.splitlines() if not line.startswith("# "))
    chunks = HEADER.split(source)[1:]
    types: dict[str, str] = {}
    docs = [
        parse_document(chunks[i], chunks[i + 1].strip("\n"), types)
        for i in range(0, len(chunks), 2)
    ]
    for doc in docs:
        for m in doc["mentions"]:
            m["type"] = types[m["cluster"]]
    with (HERE / target_name).open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    n = sum(len(d["mentions"]) for d in docs)
    print(f"{target_name}: {len(docs)} documents, {n} mentions, {len(types)} clusters")


def main() -> None:
    convert("gold_annotated.txt", "gold.jsonl")
    convert("holdout_annotated.txt", "holdout.jsonl")
    convert("holdout2_annotated.txt", "holdout2.jsonl")
    convert("holdout3_annotated.txt", "holdout3.jsonl")


if __name__ == "__main__":
    main()
