"""Writes ``entities_ids_v2.json``: the learned rows that id scheme 2 (commit 00133f6) stored for
names in scripts whose keys scheme 3 changed, for ``tests/test_entities_scripts.py``'s upgrade
test. Run with the *old* code installed, from the ``tests`` directory:

    cd tests && /path/to/old/checkout/.venv/bin/python data/make_entities_ids_v2.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from entity_docs import documents_with_names

from newsetl import warehouse
from newsetl.entities import store_entities
from newsetl.entities.store import ID_SCHEME

ARTICLES = [
    ("hi-sonia", "hi", "2026-03-01T09:00", "कांग्रेस नेता सोनिया गांधी ने आज दिल्ली में भाषण दिया। "
     "सोनिया गांधी ने कहा कि चुनाव अहम है।", [("सोनिया गांधी", "person")]),
    ("hi-sania", "hi", "2026-03-01T10:00", "खिलाड़ी सानिया गांधी ने मैच जीता।",
     [("सानिया गांधी", "person")]),
    ("hi-both", "hi", "2026-03-01T11:00", "सोनिया गांधी और सानिया गांधी की मुलाकात हुई।",
     [("सोनिया गांधी", "person"), ("सानिया गांधी", "person")]),
    ("ar-pointed", "ar", "2026-03-01T12:00", "قال مُحَمَّد عَلِي إن الاجتماع كان مثمرا.",
     [("مُحَمَّد عَلِي", "person")]),
    ("ar-plain", "ar", "2026-03-01T13:00", "وصل محمد علي إلى القاهرة.", [("محمد علي", "person")]),
    ("he-pointed", "he", "2026-03-02T09:00", "רֹאשׁ הַמֶּמְשָׁלָה בִּנְיָמִין נְתַנְיָהוּ נָאַם.",
     [("בִּנְיָמִין נְתַנְיָהוּ", "person")]),
    ("he-plain", "he", "2026-03-02T10:00", "ראש הממשלה בנימין נתניהו נאם בכנסת.",
     [("בנימין נתניהו", "person")]),
    ("ja-bush", "ja", "2026-03-02T11:00", "ジョージ・ブッシュ元大統領が来日した。",
     [("ジョージ・ブッシュ", "person")]),
    ("ja-other", "ja", "2026-03-02T12:00", "ショーシ・フッシュ氏が話した。",
     [("ショーシ・フッシュ", "person")]),
    ("th-new", "th", "2026-03-03T09:00", "ร้านใหม่ เปิดที่ถนน", [("ร้านใหม่", "organisation")]),
    ("th-silk", "th", "2026-03-03T10:00", "ร้านไหม ปิดแล้ว", [("ร้านไหม", "organisation")]),
    ("zh-both", "zh", "2026-03-03T11:00", "王伟和汪伟今天在北京见面。",
     [("王伟", "person"), ("汪伟", "person")]),
    ("zh-firm", "zh", "2026-03-03T12:00", "王氏集团发布了报告。", [("王氏集团", "organisation")]),
    ("zh-firm2", "zh", "2026-03-03T13:00", "汪氏集团发布了报告。", [("汪氏集团", "organisation")]),
    ("en-firm", "en", "2026-03-03T14:00", "Shares of Wangshijituan rose.",
     [("Wangshijituan", "organisation")]),  # scheme 2's id of 王氏集团 and 汪氏集团 too
    ("en-wang", "en", "2026-03-04T09:00", "Wang Wei met Sonia Gandhi in Delhi. Wang Wei spoke.",
     [("Wang Wei", "person"), ("Sonia Gandhi", "person")]),
    ("ru-trump", "ru", "2026-03-04T10:00", "Дональд Трамп приехал в Москву.",
     [("Дональд Трамп", "person")]),
    ("el-crete", "el", "2026-03-04T11:00", "Ο Κυριάκος Μητσοτάκης επισκέφθηκε την Κρήτη.",
     [("Κυριάκος Μητσοτάκης", "person"), ("Κρήτη", "place")]),
    ("pl-lodz", "pl", "2026-03-04T12:00", "Hanna Zdanowska otworzyła dworzec Łódź Fabryczna.",
     [("Hanna Zdanowska", "person"), ("Łódź Fabryczna", "place")]),
]  # fmt: skip

TABLES = {
    "entities": "SELECT entity_id, name, type, source FROM entities WHERE source = 'learned'",
    "entity_aliases": "SELECT entity_id, alias, language, source FROM entity_aliases"
    " WHERE source = 'learned'",
    "mentions": "SELECT article_id, mention_no, entity_id, start_offset, end_offset, surface,"
    " confidence FROM mentions",
    "entity_articles": "SELECT article_id, language, site, CAST(published_at AS VARCHAR), title"
    " FROM entity_articles",
}


def main() -> None:
    assert ID_SCHEME == 2, "run with the code of id scheme 2"
    commit = subprocess.run(
        ["git", "-C", str(Path(warehouse.__file__).parent), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "v2.duckdb")
        warehouse.migrate(con)
        con.execute("BEGIN TRANSACTION")
        store_entities(con, documents_with_names(ARTICLES))
        con.execute("COMMIT")
        out = {
            "made_by": f"newsetl.entities at commit {commit} (id scheme 2), "
            "tests/data/make_entities_ids_v2.py",
            "articles": [list(a) for a in ARTICLES],
            **{
                table: [list(r) for r in con.execute(q + " ORDER BY ALL").fetchall()]
                for table, q in TABLES.items()
            },
        }
        con.close()
    path = Path(__file__).with_name("entities_ids_v2.json")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(path, {k: len(v) for k, v in out.items() if isinstance(v, list)})


if __name__ == "__main__":
    main()
