"""Turn what a commenter typed into the sanitised HTML stored with the comment.

Runs once per post: the form renders the text (to refuse one with nothing left) and
that result is stored with the comment; `Comment.save()` renders again only a text that
changed (an edit in the admin), and `manage.py rerender_comments` after the allow-list
changes. Page views only output the stored result.
"""

import html
import re
from dataclasses import dataclass
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re
from django.utils.translation import gettext as _

COMMENT_TAGS = frozenset({"a", "p", "br", "em", "strong", "i", "b", "blockquote"})
COMMENT_ATTRIBUTES = {"a": ["href"]}
COMMENT_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BARE_URL = build_url_re(protocols=["http", "https"])


def _mark_user_link(attrs, new=False):
    """Every link a reader wrote gets rel="nofollow ugc noopener" and nothing else."""
    href = attrs.get((None, "href"), "")
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme not in COMMENT_PROTOCOLS:
        return None  # keep the text, drop the link
    return {(None, "href"): href, (None, "rel"): LINK_REL, "_text": attrs.get("_text", "")}


_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS,
    attributes=COMMENT_ATTRIBUTES,
    protocols=COMMENT_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_mark_user_link], url_re=_BARE_URL)],
)
_text_only = bleach.Cleaner(tags=set(), strip=True, strip_comments=True)


def _paragraphs(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [block.strip() for block in _PARAGRAPH_BREAK.split(text) if block.strip()]
    return "".join("<p>{}</p>".format(block.replace("\n", "<br>")) for block in blocks)


def render_comment_html(text: str) -> str:
    """Paragraphs and line breaks, a few inline tags, and safe, rel-marked links."""
    return _cleaner.clean(_paragraphs(text))


@dataclass(frozen=True)
class RenderedComment:
    """A reader's text with its sanitised HTML; made by render_comment() only."""

    text: str
    html: str


def render_comment(text: str) -> RenderedComment:
    return RenderedComment(text, render_comment_html(text))


def is_blank_html(comment_html: str) -> bool:
    """True when sanitised HTML shows no text at all."""
    text = html.unescape(_text_only.clean(comment_html))
    return not text.replace("\xa0", " ").strip()


def count_links(comment_html: str) -> int:
    return comment_html.count("<a ")


def plain_text(comment_html: str) -> str:
    """The stored HTML as the text a reader sees: paragraphs and line breaks kept, for mail."""
    text = re.sub(r"<br\s*/?>", "\n", comment_html)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return html.unescape(_text_only.clean(text)).strip()


def removed_comment_html(element_id=None):
    """What readers see in place of a removed comment, in the page's language; with an id,
    it names its place in a thread as a writer's name does (comments/threads.py)."""
    text = _("This comment has been removed.")
    shown_id = f' id="{element_id}"' if element_id else ""
    return f'<p class="comment__removed"{shown_id}>{html.escape(text)}</p>'
