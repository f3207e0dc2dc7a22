"""Turn an editor's Markdown into the sanitised HTML stored on an article."""

import re

import bleach
import markdown
from markdown.treeprocessors import Treeprocessor

ARTICLE_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "img"}
)
IMAGE_SOURCE = re.compile(r"image:([1-9][0-9]{0,11})")
# An <img> the sanitiser left without a reference to an uploaded image (raw HTML in the
# Markdown, say): nothing to show.
IMAGE_WITHOUT_REFERENCE = re.compile(r'<img(?![^>]*\ssrc="image:[1-9][0-9]{0,11}")[^>]*>')
ANY_IMAGE = re.compile(r"<img\b[^>]*>")


def _allowed_attribute(tag, name, value):
    if tag == "a":
        return name in ("href", "title") and not value.startswith("image:")
    if tag == "img":
        return name == "alt" or (name == "src" and IMAGE_SOURCE.fullmatch(value) is not None)
    return False


ARTICLE_ATTRIBUTES = {"a": _allowed_attribute, "img": _allowed_attribute}
# "image:" is the editors' reference to an uploaded image, kept only in an <img>'s src.
ARTICLE_PROTOCOLS = frozenset({"http", "https", "mailto", "image"})


class _ImageReferences(Treeprocessor):
    """![alt](image:42) stays, as <img src="image:42" alt="...">, which the article page
    turns into the image's <picture> (images.pictures.insert_pictures); any other image
    (another site's, which would tell it who reads) becomes its alternative text."""

    def run(self, root):
        for element in root.iter("img"):
            source, alt = element.get("src", ""), element.get("alt", "")
            element.attrib.clear()
            if IMAGE_SOURCE.fullmatch(source):
                element.set("src", source)
                element.set("alt", alt)
            else:
                element.tag, element.text = "span", alt


class _ImageReferenceExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_ImageReferences(md), "image_references", 15)


def render_article_html(source: str) -> str:
    """Render Markdown and keep only headings, paragraphs, lists, emphasis, links and
    references to uploaded images."""
    html = markdown.markdown(
        source, extensions=["sane_lists", _ImageReferenceExtension()], output_format="html"
    )
    clean = bleach.clean(
        html,
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        protocols=ARTICLE_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return IMAGE_WITHOUT_REFERENCE.sub("", clean)


def render_tip_html(source: str) -> str:
    """A tip as article HTML, without images; a tip of one paragraph without its <p>, as it
    sits in an <li>."""
    html = ANY_IMAGE.sub("", render_article_html(source)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[len("<p>") : -len("</p>")]
    return html
