"""The words of an article as plain text, for the search index."""

from html.parser import HTMLParser

from articles.markup import render_article_html
from articles.models import TIPS_MARKER_HTML

# Tags after which the text goes on as a new word, however the HTML is laid out.
BLOCK_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "li", "blockquote", "div"})
# NUL cannot be stored on PostgreSQL; the other two mark the matches in a snippet
# (search/full_text.py), so the text itself must never contain them.
UNSEARCHABLE = dict.fromkeys(map(ord, "\x00\ue000\ue001"))


class _TextOfHTML(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def text_of_html(html: str) -> str:
    """The text a reader sees in this HTML, on one line: no tags, entities decoded."""
    parser = _TextOfHTML()
    parser.feed(html)
    parser.close()
    return searchable("".join(parser.parts))


def searchable(text: str) -> str:
    """The text with its whitespace collapsed and the characters the index refuses removed."""
    return " ".join(text.translate(UNSEARCHABLE).split())


def document_fields(*, title, lead, body_html, tip_texts):
    """What a SearchDocument holds for an article with these fields and tips."""
    body = text_of_html(body_html.replace(TIPS_MARKER_HTML, ""))
    # Tips are written as plain text or Markdown; rendered, both give the words a reader sees.
    tips = [text_of_html(render_article_html(text)) for text in tip_texts]
    return {
        "title": searchable(title),
        "lead": searchable(lead),
        "text": " ".join(part for part in [body, *tips] if part),
    }
