"""trafilatura's parser picks lxml.html's classes in C (newsetl.htmlclasses): the same class
for every node as lxml.html's own lookup, and no Python lookup call while extracting."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree
from trafilatura.utils import load_html

from newsetl import htmlclasses
from newsetl.extract import extract_page

PAGE = (
    """<html><head><title>Forms and friends</title><!-- a comment --></head><body>
<form action="/s"><label for="q">Search</label><input id="q" name="q" value="x">
<select name="s"><option>a</option></select><textarea name="t">t</textarea></form>
<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:rect/></svg:svg>
<article><h1>Forms and friends</h1><p>"""
    + "A paragraph of an article about forms. " * 12
    + """</p>
<p>Another paragraph, long enough to be kept by the extractor as part of the text.</p>
</article></body></html>"""
)


def classes(tree) -> list[tuple[str, type]]:
    return [(str(node.tag), type(node)) for node in tree.iter()]


def parse(lookup) -> object:
    """PAGE with comments and processing instructions kept, classes from ``lookup``."""
    parser = etree.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8")
    parser.set_element_class_lookup(lookup)
    return etree.fromstring(PAGE.encode(), parser)


def test_every_node_gets_the_class_lxml_html_gives_it():
    got = classes(parse(htmlclasses.native_lookup()))
    assert got == classes(parse(lxml.html.HtmlElementClassLookup()))
    kinds = {cls for _, cls in got}
    assert {lxml.html.FormElement, lxml.html.InputElement, lxml.html.LabelElement} <= kinds
    assert {lxml.html.SelectElement, lxml.html.TextareaElement, lxml.html.HtmlElement} <= kinds
    assert lxml.html.HtmlComment in kinds
    # trafilatura's parser (comments dropped) gives the elements lxml.html's classes too
    ours = load_html(PAGE)
    assert classes(ours) == [(t, c) for t, c in got if c is not lxml.html.HtmlComment]
    assert ours.find(".//input").value == "x"  # InputElement's own property


def test_trafilatura_parser_makes_no_python_class_lookup(monkeypatch: pytest.MonkeyPatch):
    calls = []
    original = lxml.html.HtmlElementClassLookup.lookup

    def counted(self, *args):
        calls.append(args[0])
        return original(self, *args)

    monkeypatch.setattr(lxml.html.HtmlElementClassLookup, "lookup", counted)
    tree = load_html(PAGE)
    assert len(list(tree.iter())) > 10
    assert calls == []
    page = extract_page(PAGE.encode(), "http://example.invalid/forms")
    assert "paragraph of an article" in page.text
