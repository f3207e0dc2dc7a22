"""Reading an archive's XML as a stream, refusing what a hostile file could do.

An export is read element by element (iterparse) and each one is cleared once handled, so
a file of any size takes little memory. defusedxml refuses a DTD, entity declarations and
external references before they expand (billion laughs, quadratic blow-up, reading
/etc/passwd): no archive we import needs them.
"""

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse


class ArchiveError(Exception):
    """The file cannot be imported: not well-formed XML, not this kind of export, or a
    construct we refuse."""


def local_name(tag):
    """'{http://wordpress.org/export/1.2/}post_id' -> ('http://wordpress.org/export/1.2/',
    'post_id')."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def stream(path, wanted, *, depth):
    """Yield (root, element) for each completed element `depth` levels below the root
    whose tag `wanted` accepts, then clear it and drop it from its parent."""
    try:
        events = iterparse(path, events=("start", "end"), forbid_dtd=True)
        parents = []
        root = None
        for event, element in events:
            if event == "start":
                if root is None:
                    root = element
                parents.append(element)
                continue
            parents.pop()
            if len(parents) == depth and wanted(element.tag):
                yield root, element
                element.clear()
                if parents:
                    parents[-1].remove(element)
    except DefusedXmlException as error:
        raise ArchiveError(f"refused: {error}") from None
    except ParseError as error:
        raise ArchiveError(f"not well-formed XML: {error}") from None
    except OSError as error:
        raise ArchiveError(f"cannot be read: {error}") from None


def text_of(element, tag, default=""):
    child = element.find(tag)
    if child is None or child.text is None:
        return default
    return child.text
