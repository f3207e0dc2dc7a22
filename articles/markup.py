"""Turn an editor's Markdown into the sanitised HTML stored on an article."""

import bleach
import markdown

ARTICLE_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote"}
)
ARTICLE_ATTRIBUTES = {"a": ["href", "title"]}
ARTICLE_PROTOCOLS = frozenset({"http", "https", "mailto"})


def render_article_html(source: str) -> str:
    """Render Markdown and keep only headings, paragraphs, lists, emphasis and links."""
    html = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    return bleach.clean(
        html,
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        protocols=ARTICLE_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


def render_tip_html(source: str) -> str:
    """A tip as article HTML; a tip of one paragraph without its <p>, as it sits in an <li>."""
    html = render_article_html(source).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[len("<p>") : -len("</p>")]
    return html
