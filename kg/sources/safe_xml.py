"""Safe XML parsing for the XML readers: defusedxml over the standard library's expat parser.

Documents from a harvest are data, never instructions: any document type declaration is refused
before anything in it is expanded or fetched (the "billion laughs" entity expansion, an external
entity that reads ``/etc/passwd`` or fetches a URL, an external DTD), with an
:class:`~kg.errors.InputError` naming the file and line. arXiv's Atom feeds and OAI-PMH responses
never carry one.
Each element's start line is kept, so a reader can report a malformed entry as ``file:line``.

Examples
--------
>>> root, lines = parse(b"<feed>\\n  <entry/>\\n</feed>", "a.xml")
>>> [(el.tag, lines[el]) for el in root.iter()]
[('feed', 1), ('entry', 2)]
>>> parse(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "b.xml")
Traceback (most recent call last):
...
kg.errors.InputError: b.xml:1: unsafe XML refused: a document type declaration (DOCTYPE x)
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from kg.errors import InputError


class _LineTreeBuilder(TreeBuilder):
    """A TreeBuilder that remembers the line on which each element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.expat = None

    def start(self, tag, attrs):  # noqa: ANN001, ANN201 (TreeBuilder's signature)
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber
        return element


def parse(data: bytes, path: str | Path) -> tuple[Element, dict[Element, int]]:
    """The root element of an XML document and the start line of every element.

    Raises
    ------
    InputError
        The document is not well-formed or has a document type declaration.
    """
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden as e:
        raise InputError(
            path, f"unsafe XML refused: a document type declaration (DOCTYPE {e.name})", line=_line(parser)
        ) from None
    except EntitiesForbidden as e:
        raise InputError(path, f"unsafe XML refused: an entity declaration ({e.name!r})", line=_line(parser)) from None
    except ExternalReferenceForbidden as e:
        raise InputError(
            path, f"unsafe XML refused: an external reference ({e.sysid or e.pubid})", line=_line(parser)
        ) from None
    except DefusedXmlException as e:
        raise InputError(path, f"unsafe XML refused: {e}", line=_line(parser)) from None
    except ParseError as e:
        line, column = e.position
        raise InputError(path, f"not well-formed XML: {_reason(e)} (column {column + 1})", line=line) from None
    return root, builder.lines


def _line(parser: DefusedXMLParser) -> int:
    return parser.parser.CurrentLineNumber


def _reason(error: ParseError) -> str:
    """expat's message without its ``line N, column M`` tail (the caller reports the position)."""
    return str(error).split(":")[0]
