"""Reading a page's HTML the way a browser would, to find anything that could run.

`assert_page_is_inert` checks a whole page with html.parser, tag by tag and attribute by
attribute: no event handlers, no script-capable URLs, no scripts but the page's own, no
forms or images from elsewhere. Inside the comments section (`<section id="reacties">`)
only the template's own tags and the sanitiser's allow-list may appear, and every link a
reader wrote carries rel="nofollow ugc noopener"; `assert_comment_html_is_inert` applies
those rules to stored comment HTML on its own.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

LINK_REL = "nofollow ugc noopener"
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
USER_LINK_SCHEMES = ("http:", "https:", "mailto:")
PAGE_SCRIPTS = {
    (("src", "/static/js/comments.js"), ("defer", None)),
    (("src", "/static/js/share.js"), ("defer", None)),
    (("src", "/static/js/discussion.js"), ("defer", None)),
    (("type", "application/ld+json"),),
}
NEVER_ON_A_PAGE = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math",
    "xmp", "plaintext", "noscript", "noembed", "noframes", "style", "template", "listing",
    "portal", "param", "isindex", "marquee", "video", "audio", "source", "details",
    "area", "map", "animate", "set", "foreignobject", "mglyph", "annotation-xml",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "cite", "codebase",
    "xlink:href", "background", "dynsrc", "lowsrc", "ping", "manifest", "srcset",
}  # fmt: skip
NEVER_AN_ATTRIBUTE = {"srcdoc", "formaction", "style", "http-equiv", "xlink:href", "dynsrc"}
PAGE_LINK_RELS = {"stylesheet", "icon", "alternate", "canonical"}
# Inside the comments section: the template's own tags plus the sanitiser's allow-list.
SECTION_TAGS = {
    "section", "h2", "h3", "span", "ol", "li", "article", "header", "footer", "time", "div",
    "a", "p", "br", "em", "strong", "i", "b", "blockquote", "nav", "ul", "form", "button",
}  # fmt: skip
VOID_TAGS = {"br", "img", "input", "hr", "meta", "link", "wbr", "source"}
SECTION_ATTRIBUTES = {
    "class", "id", "href", "rel", "datetime", "aria-labelledby", "data-reply-to", "role",
    "aria-label", "aria-current", "aria-live", "aria-describedby", "method", "action",
    "type", "form", "name", "value", "data-state-url", "data-fresh-url", "data-count",
    "data-latest", "data-poll-seconds", "data-fresh-one", "data-fresh-many",
    "data-fresh-heading",
}  # fmt: skip
# Inside what a reader wrote (a comment's text, their name): the sanitiser's allow-list only,
# with the site's own "removed" text the one exception.
READER_ATTRIBUTES = {
    "a": {"href", "rel"}, "p": set(), "br": set(), "em": set(), "strong": set(), "i": set(),
    "b": set(), "blockquote": set(),
}  # fmt: skip
SITE_TEXT_IN_READER_PLACE = ("p", (("class", "comment__removed"),))


def url_as_browser_reads_it(value):
    """Browsers drop tabs and newlines anywhere and C0 controls and spaces at the ends."""
    value = re.sub(r"[\t\n\r]", "", value or "")
    return value.strip("".join(map(chr, range(0x21)))).lower()


def is_local_path(url):
    parts = urlsplit(url)
    return (
        not parts.scheme
        and not parts.netloc
        and (url.startswith("/") or url.startswith("#") or url.startswith("?"))
        and not url.startswith("//")
        and not url.startswith("/\\")
    )


class PageAudit(HTMLParser):
    """Every tag and attribute of a page; stricter rules inside the comments section."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.scripts = []
        self.script_bodies = []
        self.sections = 0
        self.section_html_events = 0
        self.user_links = []
        self.textareas = []
        self._in_section = False
        self._open = []  # the elements open inside the comments section
        self._reader_text_at = None  # depth of the reader's text or name element, if in one
        self._in_script = False
        self._textarea = None
        self._section_text = []

    @property
    def section_text(self):
        return "".join(self._section_text)

    def problem(self, message):
        self.problems.append(message)

    def handle_starttag(self, tag, attrs):
        where = "comments section" if self._in_section else "page"
        shown = f"<{tag} {attrs}> in the {where}"
        if tag == "section" and dict(attrs).get("id") == "reacties" and not self._in_section:
            self._in_section = True
            self.sections += 1
        elif self._in_section:
            self.section_html_events += 1
            # What a reader wrote: a comment's text (article > div) and name (header > b).
            parent = self._open[-1] if self._open else None
            if self._reader_text_at is None and (tag, parent) in (
                ("div", "article"),
                ("b", "header"),
            ):
                self._reader_text_at = len(self._open)
            self._check_section_tag(tag, attrs, shown)
            if tag not in VOID_TAGS:
                self._open.append(tag)
        if self._textarea is not None:
            self.problem(f"markup inside a textarea: {shown}")
        self._check_page_tag(tag, attrs, shown)
        if tag == "script":
            self.scripts.append(tuple(attrs))
            self._in_script = True
            self.script_bodies.append("")
        if tag == "textarea":
            self._textarea = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "textarea"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self._in_section and self._open:
            # Our markup and the sanitiser's close every element in order: an end tag that
            # closes another one could end a reader's text early.
            if self._open[-1] != tag:
                self.problem(f"an end tag </{tag}> where <{self._open[-1]}> is open")
            if tag in self._open:
                while self._open.pop() != tag:
                    pass
            if self._reader_text_at is not None and len(self._open) <= self._reader_text_at:
                self._reader_text_at = None
        elif tag == "section" and self._in_section:
            self._in_section = False
        elif self._in_section:
            self.problem(f"an end tag </{tag}> with nothing open in the comments section")
        if tag == "script":
            self._in_script = False
        if tag == "textarea" and self._textarea is not None:
            self.textareas.append("".join(self._textarea))
            self._textarea = None

    def handle_data(self, data):
        if self._in_script:
            self.script_bodies[-1] += data
        if self._textarea is not None:
            self._textarea.append(data)
        if self._in_section:
            self._section_text.append(data)

    def handle_comment(self, data):
        if self._in_section:
            self.problem(f"an HTML comment in the comments section: <!--{data}-->")

    def handle_decl(self, decl):
        if self._in_section or not decl.lower().startswith("doctype"):
            self.problem(f"a declaration: <!{decl}>")

    def unknown_decl(self, data):
        self.problem(f"a CDATA section or unknown declaration: <![{data}]>")

    def handle_pi(self, data):
        self.problem(f"a processing instruction: <?{data}>")

    def _check_page_tag(self, tag, attrs, shown):
        if tag in NEVER_ON_A_PAGE:
            self.problem(f"forbidden element {shown}")
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problem(f"event handler attribute {name!r}: {shown}")
            if name in NEVER_AN_ATTRIBUTE:
                self.problem(f"dangerous attribute {name!r}: {shown}")
            if name in URL_ATTRIBUTES and url_as_browser_reads_it(value).startswith(
                DANGEROUS_SCHEMES
            ):
                self.problem(f"script-capable URL in {name!r}: {shown}")
        if tag == "script" and tuple(attrs) not in PAGE_SCRIPTS:
            self.problem(f"a script that is not the page's own: {shown}")
        if tag == "meta" and "content" in values and "url=" in values["content"].lower():
            self.problem(f"a redirecting meta element: {shown}")
        if tag == "link" and values.get("rel") not in PAGE_LINK_RELS:
            self.problem(f"an unexpected link element: {shown}")
        if tag == "form" and not is_local_path(values.get("action") or ""):
            self.problem(f"a form posting off the page's site: {shown}")
        if tag == "img" and not is_local_path(values.get("src") or ""):
            self.problem(f"an image from elsewhere: {shown}")

    def _in_reader_text(self):
        return self._reader_text_at is not None and len(self._open) > self._reader_text_at

    def _check_section_tag(self, tag, attrs, shown):
        if self._in_reader_text() and (tag, tuple(attrs)) != SITE_TEXT_IN_READER_PLACE:
            allowed = READER_ATTRIBUTES.get(tag)
            if allowed is None:
                self.problem(f"element not allowed in a reader's text: {shown}")
            for name, _value in attrs:
                if allowed is not None and name not in allowed:
                    self.problem(f"attribute not allowed in a reader's text: {name!r}: {shown}")
        if tag not in SECTION_TAGS:
            self.problem(f"element not allowed in comments: {shown}")
        for name, _value in attrs:
            if name not in SECTION_ATTRIBUTES:
                self.problem(f"attribute not allowed in comments: {name!r}: {shown}")
        if tag != "a":
            return
        values = dict(attrs)
        href = values.get("href") or ""
        if self._reader_text_at is None:
            # The section's own links (no rel: they stay on the site).
            if not is_local_path(href):
                self.problem(f"a site link that is not the site's own: {shown}")
            return
        # A link a reader wrote (in the text, or their name to their website).
        self.user_links.append(href)
        if values.get("rel") != LINK_REL:
            self.problem(f'a reader\'s link without rel="{LINK_REL}": {shown}')
        if not url_as_browser_reads_it(href).startswith(USER_LINK_SCHEMES):
            self.problem(f"a reader's link that is not http(s) or mailto: {shown}")


def audit(html):
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser


def assert_page_is_inert(html, *, needs_section=False):
    """No executable markup anywhere on the page; strict rules in the comments section."""
    page = audit(html)
    assert not page.problems, "\n".join(page.problems)
    raw_scripts = re.findall(r"<\s*script", html, re.IGNORECASE)
    assert len(raw_scripts) == len(page.scripts) <= len(PAGE_SCRIPTS), raw_scripts
    assert len(set(page.scripts)) == len(page.scripts), page.scripts
    for attrs, body in zip(page.scripts, page.script_bodies, strict=True):
        if attrs == (("type", "application/ld+json"),):
            json.loads(body)  # the JSON-LD is intact: nothing broke out of it
        else:
            assert body == "", body
    assert page.sections <= 1, "the comments section appears more than once"
    if needs_section:
        assert page.sections == 1, "the comments section is missing"
    return page


def section_of(html):
    start = html.index('<section class="discussion" id="reacties"')
    return html[start : html.index("</section>", start) + len("</section>")]


def assert_comment_html_is_inert(comment_html):
    """The stored HTML, checked with the comments-section rules on its own."""
    page = audit(
        f'<section class="discussion" id="reacties"><article><div>{comment_html}</div>'
        "</article></section>"
    )
    assert not page.problems, "\n".join(page.problems) + "\n" + comment_html
    assert page.sections == 1
    assert "</section" not in comment_html.lower()


def attributes_of(tag_html):
    """The attributes of the first tag in `tag_html`, as html.parser reads them."""
    found = {}

    class OneTag(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.update(attrs)

    OneTag().feed(tag_html)
    return found
