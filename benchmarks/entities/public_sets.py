"""Readers for the public annotated NER sets in ``../shared/benchmarks/entities-public/``.

Each reader turns one set into :class:`GoldDoc` s: the text (rebuilt from the set's tokens, or the
set's own raw text), the gold mentions as character spans with our coarse type, the set's entity
id where it has one (BSNLP cross-lingual ids, HIPE Wikidata QIDs), and the spans to ignore (gold
annotations of kinds we do not extract: dates, amounts, abstract concepts). Nothing here is
tuned: the rules below are the sets' own formats, written down once.

Coarse types (what we can compare with ``newsetl.entities`` types): ``person``,
``organisation``, ``place`` (our country / city / place), ``other`` (products, events, works,
CoNLL MISC: our treaty / law / event / other).

Text rebuilt from tokens: tokens joined by a space, none before closing punctuation or after an
opening bracket or an elided article ("dell'", "l'"); one sentence per line (the sets do not
keep paragraphs). HIPE keeps the OCR's own spacing (``NoSpaceAfter``); its line ends are
spaces (they are column wraps, not paragraphs).
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The data folder, relative to the repository root (see the folder's README.md).
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "entities-public"

COARSE = ("person", "organisation", "place", "other")


@dataclass
class GoldMention:
    start: int
    end: int
    type: str  # one of COARSE
    cluster: str | None = None  # the set's entity id (None: the set has none / NIL)


@dataclass
class GoldDoc:
    set: str
    doc_id: str
    language: str
    text: str
    mentions: list[GoldMention]
    ignore: list[tuple[int, int]] = field(default_factory=list)
    #: the subset ("brexit", "hipe2020", ...) for cross-document grouping and reports
    topic: str = ""


# -- text from tokens --------------------------------------------------------------------------
_NO_SPACE_BEFORE = set(".,;:!?%)]}»”’…") | {"'s", "n't", "'re", "'ve", "'ll", "'d", "'m", "'S"}
_NO_SPACE_AFTER = set("([{«“‘¿¡")


class TextBuilder:
    """Joins tokens into text, remembering each token's offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self._glue = True  # no space before the next token
        self._quote_open = False

    def add(self, token: str, *, space_after: bool | None = None) -> tuple[int, int]:
        glue = self._glue
        if token in _NO_SPACE_BEFORE or (
            token.startswith("'") and token.lower() in _NO_SPACE_BEFORE
        ):
            glue = True
        if token == '"':
            if self._quote_open:
                glue = True
            self._quote_open = not self._quote_open
        if not glue:
            self._put(" ")
        start = self.length
        self._put(token)
        if space_after is None:
            self._glue = (
                token in _NO_SPACE_AFTER
                or (token == '"' and self._quote_open)
                or (len(token) > 1 and token[-1] in "'’" and token[-2].isalpha())
            )
        else:
            self._glue = not space_after
        return start, self.length

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self._put("\n")
        self._glue = True
        self._quote_open = False

    def _put(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def text(self) -> str:
        return "".join(self.parts)


def _bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, label) from IOB1 or IOB2 tags ("B-PER", "I-PER", "O")."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for k, tag in enumerate([*tags, "O"]):
        prefix, _, lab = tag.partition("-")
        if tag in ("O", "_", "") or not lab:
            prefix, lab = "O", None
        begins = prefix == "B" or lab != label or (prefix in ("S", "U"))
        if label is not None and (lab is None or begins):
            spans.append((start, k, label))
            start, label = None, None
        if lab is not None and label is None:
            start, label = k, lab
        if prefix in ("S", "U", "E") and label is not None:
            spans.append((start, k + 1, label))
            start, label = None, None
    return spans


def _doc_from_sentences(
    set_name: str,
    doc_id: str,
    language: str,
    sentences: list[list[tuple[str, str]]],
    type_map: dict[str, str | None],
    topic: str = "",
) -> GoldDoc:
    """A document from sentences of (token, tag) pairs; tags IOB1/IOB2 with the set's labels.
    A label mapped to None becomes an ignored span."""
    tb = TextBuilder()
    mentions: list[GoldMention] = []
    ignore: list[tuple[int, int]] = []
    for sentence in sentences:
        offsets = [tb.add(tok) for tok, _ in sentence]
        for i, j, label in _bio_spans([tag for _, tag in sentence]):
            start, end = offsets[i][0], offsets[j - 1][1]
            coarse = type_map.get(label.upper(), "other")
            if coarse is None:
                ignore.append((start, end))
            else:
                mentions.append(GoldMention(start, end, coarse))
        tb.newline()
    return GoldDoc(set_name, doc_id, language, tb.text(), mentions, ignore, topic)


def _read(path: Path, encodings: tuple[str, ...] = ("utf-8",)) -> str:
    data = path.read_bytes()
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# -- CoNLL 2002 / 2003 -------------------------------------------------------------------------
CONLL_TYPES: dict[str, str | None] = {
    "PER": "person", "ORG": "organisation", "LOC": "place", "MISC": "other",
}  # fmt: skip


def _conll_documents(text: str) -> Iterator[list[list[tuple[str, str]]]]:
    """Documents (lists of sentences) of a CoNLL file; ``-DOCSTART-`` starts a document."""
    doc: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    for line in text.splitlines():
        cols = line.split()
        if not cols:
            if sentence:
                doc.append(sentence)
                sentence = []
            continue
        if cols[0] == "-DOCSTART-":
            if sentence:
                doc.append(sentence)
                sentence = []
            if doc:
                yield doc
                doc = []
            continue
        token = cols[0]
        if "\x81" in token:  # see _fix_dutch
            token = _fix_dutch(token, len(cols))
        sentence.append((token, cols[-1]))
    if sentence:
        doc.append(sentence)
    if doc:
        yield doc


_DUTCH_POS = ("Adj", "Adv", "Art", "Conj", "Int", "Misc", "Num", "Prep", "Pron", "Punc", "N", "V")


def _fix_dutch(token: str, columns: int) -> str:
    """The Dutch files of this copy write a non-ASCII letter and the character after it as
    ``\\x81E`` (298 of ~70,000 tokens of ned.testb: "Itali\\x81EN" for "Italië N", "Z\\x81Eich"
    for "Zürich"); the lost pair becomes "ë", and a POS tag glued to the word by the lost space
    is cut off. The surface is then slightly wrong ("Zëich"), the spans stay right."""
    token = token.replace("\x81E", "ë").replace("\x81", "ë")
    if columns == 2:
        for pos in _DUTCH_POS:
            if token.endswith(pos) and len(token) > len(pos):
                return token[: -len(pos)]
    return token


def _chunks(sentences: list, size: int) -> Iterator[list]:
    for k in range(0, len(sentences), size):
        yield sentences[k : k + size]


def load_conll2003(data: Path = DATA) -> list[GoldDoc]:
    out = []
    for name in ("eng.testa", "eng.testb"):
        text = _read(data / "conll2003-en" / name)
        for n, sentences in enumerate(_conll_documents(text)):
            out.append(
                _doc_from_sentences("conll2003", f"{name}:{n}", "en", sentences, CONLL_TYPES)
            )
    return out


def load_conll2002(data: Path = DATA) -> list[GoldDoc]:
    """Dutch has article boundaries; Spanish has none, so its sentences (in newswire order) are
    cut into pseudo-articles of 20 sentences."""
    out = []
    for name, lang in (("esp.testa", "es"), ("esp.testb", "es"), ("ned.testa", "nl"),
                       ("ned.testb", "nl")):  # fmt: skip
        text = _read(data / "conll2002" / name, ("utf-8", "cp1252"))
        docs = list(_conll_documents(text))
        if lang == "es":
            docs = list(_chunks([s for d in docs for s in d], 20))
        for n, sentences in enumerate(docs):
            out.append(
                _doc_from_sentences(
                    f"conll2002-{lang}", f"{name}:{n}", lang, sentences, CONLL_TYPES
                )
            )
    return out


# -- KIND (Italian Wikinews) -------------------------------------------------------------------
def load_kind(data: Path = DATA) -> list[GoldDoc]:
    """No article boundaries in the files: a sentence without final punctuation (a Wikinews
    title) starts a new article once the current one has three sentences."""
    out = []
    for name in ("wikinews_test.tsv",):
        sentences: list[list[tuple[str, str]]] = []
        current: list[tuple[str, str]] = []
        for line in _read(data / "kind-wikinews" / name).splitlines():
            cols = line.split("\t")
            if len(cols) < 2 or not cols[0]:
                if current:
                    sentences.append(current)
                    current = []
                continue
            tag = cols[1].strip()
            current.append((cols[0], tag if tag == "O" else f"I-{tag}"))
        if current:
            sentences.append(current)
        docs: list[list[list[tuple[str, str]]]] = [[]]
        for sentence in sentences:
            title = sentence[-1][0] not in (".", "!", "?", '"', "»", ")", ":")
            if title and len(docs[-1]) >= 3:
                docs.append([])
            docs[-1].append(sentence)
        types = {"PER": "person", "ORG": "organisation", "LOC": "place"}
        for n, doc in enumerate(docs):
            if doc:
                out.append(_doc_from_sentences("kind", f"{name}:{n}", "it", doc, types))
    return out


# -- FiNER (Finnish Digitoday) -----------------------------------------------------------------
def load_finer(data: Path = DATA) -> list[GoldDoc]:
    types: dict[str, str | None] = {
        "PER": "person", "ORG": "organisation", "LOC": "place", "PRO": "other", "EVENT": "other",
        "DATE": None,
    }  # fmt: skip
    out = []
    for name in ("digitoday.2014.dev.csv", "digitoday.2015.test.csv"):
        docs: list[list[list[tuple[str, str]]]] = []
        sentence: list[tuple[str, str]] = []
        for line in _read(data / "finer" / name).splitlines():
            cols = line.split("\t")
            token = cols[0].strip()
            if token == "<HEADLINE>":
                if sentence:
                    docs[-1].append(sentence) if docs else None
                    sentence = []
                docs.append([])
                continue
            if token in ("<INGRESS>", "<BODY>") or not token:
                if sentence and docs:
                    docs[-1].append(sentence)
                sentence = []
                continue
            tag = cols[1].strip() if len(cols) > 1 else "O"
            sentence.append((token, tag or "O"))
            if token in (".", "!", "?"):
                docs[-1].append(sentence) if docs else None
                sentence = []
        if sentence and docs:
            docs[-1].append(sentence)
        for n, doc in enumerate(docs):
            if doc:
                out.append(_doc_from_sentences("finer", f"{name}:{n}", "fi", doc, types))
    return out


# -- NYTK-NerKor news (Hungarian) --------------------------------------------------------------
def load_nerkor(data: Path = DATA) -> list[GoldDoc]:
    types = {"PER": "person", "ORG": "organisation", "LOC": "place", "MISC": "other"}
    out = []
    for path in sorted((data / "nerkor-news").glob("*/*.conllup")):
        sentences: list[list[tuple[str, str]]] = []
        current: list[tuple[str, str]] = []
        for line in _read(path).splitlines():
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 6:
                if current:
                    sentences.append(current)
                    current = []
                continue
            current.append((cols[0], cols[5]))
        if current:
            sentences.append(current)
        doc_id = f"{path.parent.name}/{path.stem}"
        out.append(_doc_from_sentences("nerkor", doc_id, "hu", sentences, types))
    return out


# -- HIPE-2022 (historical newspapers) ---------------------------------------------------------
HIPE_TYPES: dict[str, str | None] = {
    "PERS": "person", "ORG": "organisation", "LOC": "place", "PROD": "other", "TIME": None,
}  # fmt: skip


def load_hipe(data: Path = DATA) -> list[GoldDoc]:
    out = []
    for path in sorted((data / "hipe2022").glob("HIPE-2022-v2.1-*.tsv")):
        dataset = path.name.split("-")[3]
        out.extend(_hipe_file(path, dataset))
    return out


def _hipe_file(path: Path, dataset: str) -> Iterator[GoldDoc]:
    doc_id, lang = None, None
    rows: list[list[str]] = []

    def flush() -> GoldDoc | None:
        if doc_id is None or not rows:
            return None
        tb = TextBuilder()
        offsets = []
        for cols in rows:
            misc = cols[-1]
            offsets.append(tb.add(cols[0], space_after="NoSpaceAfter" not in misc))
        mentions, ignore = [], []
        tags = [cols[1] for cols in rows]
        for i, j, label in _bio_spans(tags):
            start, end = offsets[i][0], offsets[j - 1][1]
            coarse = HIPE_TYPES.get(label.upper().split(".")[0], "other")
            if coarse is None:
                ignore.append((start, end))
                continue
            qid = rows[i][7] if len(rows[i]) > 7 else "_"
            cluster = qid if qid.startswith("Q") else None
            mentions.append(GoldMention(start, end, coarse, cluster))
        return GoldDoc(f"hipe-{lang}", doc_id, lang, tb.text(), mentions, ignore, dataset)

    for line in _read(path).splitlines():
        if line.startswith("# hipe2022:document_id"):
            doc = flush()
            if doc:
                yield doc
            doc_id = line.split("=", 1)[1].strip()
            rows = []
            continue
        if line.startswith("# hipe2022:language"):
            lang = line.split("=", 1)[1].strip()
            continue
        if not line or line.startswith("#") or line.startswith("TOKEN\t"):
            continue
        cols = line.split("\t")
        if len(cols) >= 10:
            rows.append(cols)
    doc = flush()
    if doc:
        yield doc


# -- BSNLP 2019/2021 (Slavic news, cross-lingual ids) ------------------------------------------
BSNLP_TYPES = {"PER": "person", "ORG": "organisation", "LOC": "place", "EVT": "other",
               "PRO": "other"}  # fmt: skip
_WORD = re.compile(r"\w", re.UNICODE)


def load_bsnlp(data: Path = DATA) -> list[GoldDoc]:
    """Text = the raw file without its four header lines (id, language, date, URL). The
    annotation lists each distinct form of a document once; every whole-word occurrence of a
    form in the text is a gold mention (longest forms first, no overlaps), as in the shared
    task's own alignment. The 2017 topics (``ec``, ``trump``) were annotated in lower case and
    number their entities per topic: their forms are found ignoring case and their ids are
    prefixed with the topic."""
    out = []
    root = data / "bsnlp"
    for ann in sorted(root.glob("*/annotated/*/*")):
        topic, lang = ann.parts[-4], ann.parts[-2]
        raw = root / topic / "raw" / lang / ann.name.replace(".out", ".txt")
        if not raw.exists():  # the 2017 topics name the two files differently
            number = re.findall(r"\d+", ann.name)
            found = [
                p for p in (root / topic / "raw" / lang).glob("*")
                if number and re.findall(r"\d+", p.name)[:1] == number[:1]
            ]  # fmt: skip
            if len(found) != 1:
                continue
            raw = found[0]
        lines = _read(raw).splitlines()
        if len(lines) < 5:
            continue
        text = "\n".join(lines[4:])
        forms: dict[str, tuple[str, str]] = {}
        ann_lines = _read(ann).splitlines()
        for line in ann_lines[1:]:
            cols = line.split("\t")
            if len(cols) < 4 or not cols[0].strip():
                continue
            cluster = cols[3].strip()
            if cluster.isdigit():  # 2017 topics number their entities per topic
                cluster = f"{topic}:{cluster}"
            forms.setdefault(cols[0].strip(), (cols[2].strip().upper(), cluster))
        # The 2017 topics (ec, trump) list lower-cased forms: found ignoring case there.
        flags = re.IGNORECASE if all(f == f.lower() for f in forms) else 0
        taken = [False] * len(text)
        mentions = []
        for form in sorted(forms, key=len, reverse=True):
            label, cluster = forms[form]
            for m in re.finditer(re.escape(form), text, flags):
                s, e = m.start(), m.end()
                if any(taken[s:e]):
                    continue
                if (s > 0 and _WORD.match(text[s - 1])) or (e < len(text) and _WORD.match(text[e])):
                    continue
                for k in range(s, e):
                    taken[k] = True
                coarse = BSNLP_TYPES.get(label, "other")
                mentions.append(GoldMention(s, e, coarse, cluster or None))
        mentions.sort(key=lambda m: m.start)
        doc_id = f"{topic}/{lang}/{ann.name}"
        out.append(GoldDoc("bsnlp", doc_id, lang, text, mentions, [], topic))
    return out


# -- Second HAREM (Portuguese) -----------------------------------------------------------------
HAREM_TYPES: dict[str, str | None] = {
    "PESSOA": "person", "ORGANIZACAO": "organisation", "LOCAL": "place",
    "ACONTECIMENTO": "other", "OBRA": "other",
    "COISA": None, "ABSTRACCAO": None, "TEMPO": None, "VALOR": None, "OUTRO": None,
}  # fmt: skip


class _HaremDoc:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.mentions: list[GoldMention] = []
        self.ignore: list[tuple[int, int]] = []

    def put(self, text: str | None) -> None:
        if not text:
            return
        text = re.sub(r"\s+", " ", text)
        if self.parts and self.parts[-1].endswith((" ", "\n")) and text.startswith(" "):
            text = text[1:]
        if not self.parts or self.parts[-1].endswith("\n"):
            text = text.lstrip()
        if text:
            self.parts.append(text)
            self.length += len(text)

    def paragraph(self) -> None:
        while self.parts and self.parts[-1].endswith(" "):
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
            if not self.parts[-1]:
                self.parts.pop()
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
            self.length += 1

    def walk(self, node: ET.Element) -> None:
        tag = node.tag
        if tag == "EM":
            content = "".join(node.itertext())
            content = re.sub(r"\s+", " ", content).strip()
            if content:
                if self.parts and not self.parts[-1].endswith((" ", "\n")):
                    self.put(" ")
                start = self.length
                self.put(content)
                categ = (node.get("CATEG") or "OUTRO").split("|")[0]
                coarse = HAREM_TYPES.get(categ)
                if coarse is None:
                    self.ignore.append((start, self.length))
                else:
                    self.mentions.append(GoldMention(start, self.length, coarse))
            self.put(node.tail)
            return
        if tag == "ALT":  # alternatives "a | b": the first one
            self.put((node.text or "").split("|")[0])
            if "|" not in (node.text or ""):
                for child in node:
                    self.walk_until_bar(child)
                    if "|" in (child.tail or ""):
                        break
            self.put(node.tail)
            return
        if tag == "OMITIDO":
            start = self.length
            self.put(node.text)
            for child in node:
                self.walk(child)
            self.ignore.append((start, self.length))
            self.put(node.tail)
            return
        if tag == "p":
            self.paragraph()
        self.put(node.text)
        for child in node:
            self.walk(child)
        if tag == "p":
            self.paragraph()
        self.put(node.tail)

    def walk_until_bar(self, child: ET.Element) -> None:
        tail = child.tail
        child.tail = (tail or "").split("|")[0]
        self.walk(child)
        child.tail = tail


def load_harem(data: Path = DATA) -> list[GoldDoc]:
    tree = ET.parse(data / "harem" / "CDSegundoHAREMclassico.xml")
    out = []
    for doc in tree.getroot().iter("DOC"):
        h = _HaremDoc()
        h.put(doc.text)
        for child in doc:
            h.walk(child)
        text = "".join(h.parts).rstrip()
        mentions = [m for m in h.mentions if m.end <= len(text)]
        out.append(GoldDoc("harem", doc.get("DOCID") or "", "pt", text, mentions, h.ignore))
    return out


LOADERS = {
    "conll2003": load_conll2003,
    "conll2002": load_conll2002,
    "kind": load_kind,
    "harem": load_harem,
    "finer": load_finer,
    "nerkor": load_nerkor,
    "hipe": load_hipe,
    "bsnlp": load_bsnlp,
}


def load(names: list[str] | None = None, data: Path = DATA) -> list[GoldDoc]:
    """The sets' documents; a set whose files are missing (not fetched yet, see
    ``fetch_public.py``) is skipped with a note on stderr."""
    docs: list[GoldDoc] = []
    for name in names or list(LOADERS):
        try:
            docs.extend(LOADERS[name](data))
        except FileNotFoundError as exc:
            print(f"skipped set {name}: {exc}", file=sys.stderr)
    return docs


def check(docs: list[GoldDoc]) -> None:
    """Sanity: spans inside the text, not empty, not across a line break of a token."""
    for d in docs:
        for m in d.mentions:
            assert 0 <= m.start < m.end <= len(d.text), (d.doc_id, m)
            assert d.text[m.start : m.end].strip(), (d.doc_id, m)


if __name__ == "__main__":  # a summary of what was read
    import collections

    for name in LOADERS:
        docs = LOADERS[name](DATA)
        check(docs)
        by = collections.Counter(d.language for d in docs)
        n = sum(len(d.mentions) for d in docs)
        types = collections.Counter(m.type for d in docs for m in d.mentions)
        print(f"{name:10} docs {len(docs):5} mentions {n:6} {dict(by)} {dict(types)}")
        d = docs[len(docs) // 2]
        print("   ", repr(d.text[:200]))
        print("   ", [d.text[m.start : m.end] for m in d.mentions[:8]])
