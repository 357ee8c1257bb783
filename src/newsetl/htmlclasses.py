"""lxml.html's element classes, chosen in C for trafilatura's parser.

Why: lxml.html's parser gives each node its Python class (``HtmlElement``, or ``FormElement``
for a ``<form>``...) through ``HtmlElementClassLookup.lookup``, a Python method that lxml calls
every time it makes a Python object for a node: ~4,700 calls per Zyte page during trafilatura's
extraction, ~1 ms of CPU of its ~23 (benchmarks/README.md, round 8). lxml's namespace lookup
with the same tag -> class table, falling back to the same classes for elements, comments,
processing instructions and entities, does the same in C: every node gets the class it got
before, so extraction's output cannot change.

One difference, which no page can show: lxml.html's lookup lower-cases the tag first. The HTML
parser lower-cases every tag it reads, and trafilatura only makes lower-case ones.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlElementClassLookup,
    HtmlEntity,
    HtmlProcessingInstruction,
)


def native_lookup() -> etree.ElementNamespaceClassLookup:
    """The classes of ``lxml.html.HtmlElementClassLookup()``, looked up in C."""
    fallback = etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    tags = lookup.get_namespace(None)
    for tag, cls in HtmlElementClassLookup._default_element_classes.items():
        tags[tag] = cls
    return lookup


def install() -> None:
    """Make trafilatura's module-level parser (``load_html`` and its re-parses use it) pick
    classes with :func:`native_lookup`. Idempotent; affects only that parser."""
    from trafilatura.utils import HTML_PARSER

    HTML_PARSER.set_element_class_lookup(native_lookup())
