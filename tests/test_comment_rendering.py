"""What a commenter types is stored as safe HTML: a few tags, links marked nofollow."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.rendering import is_blank_html, render_comment_html
from tests.html_audit import assert_comment_html_is_inert

REL = 'rel="nofollow ugc noopener"'


def test_paragraphs_and_line_breaks():
    assert render_comment_html("Een\nTwee\n\nDrie") == "<p>Een<br>Twee</p><p>Drie</p>"


def test_bare_urls_become_links_with_rel():
    assert render_comment_html("Zie https://example.nl/pad?a=1") == (
        f'<p>Zie <a href="https://example.nl/pad?a=1" {REL}>https://example.nl/pad?a=1</a></p>'
    )


def test_written_links_keep_only_href_and_get_rel():
    html = render_comment_html(
        '<a href="https://example.nl" target="_new" onclick="x()" title="t">hier</a>'
    )
    assert html == f'<p><a href="https://example.nl" {REL}>hier</a></p>'


def test_mailto_links_are_allowed():
    html = render_comment_html('<a href="mailto:info@example.nl">mail</a>')
    assert html == f'<p><a href="mailto:info@example.nl" {REL}>mail</a></p>'


def test_emphasis_and_quotes_are_kept():
    html = render_comment_html(
        "<em>ja</em> <strong>nee</strong>\n\n<blockquote>citaat</blockquote>"
    )
    assert "<em>ja</em>" in html
    assert "<strong>nee</strong>" in html
    assert "<blockquote>citaat</blockquote>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<title><img src=x onerror=alert(1)></title>",
        "<textarea><img src=x onerror=alert(1)></textarea>",
        '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
        "<<script>script>alert(1)<</script>/script>",
        "<b><i><a href='https://x.nl'>unclosed",
        "{{ request.user }} {% debug %}",
        '"><script>alert(1)</script>',
        "<form action=https://evil.example><button>x</button></form>",
        "<object data=javascript:alert(1)>",
        "<base href=https://evil.example/>",
        "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    ],
)
def test_hostile_markup_never_survives(hostile):
    html = render_comment_html(hostile)
    assert_not_executable(html)


ALLOWED_TAGS = {"a", "p", "br", "em", "strong", "i", "b", "blockquote"}
TAG = re.compile(r"<\s*(/?)\s*([^\s/>]+)([^>]*)>")
# html5lib quotes a value that holds a double quote with single quotes.
ATTRIBUTE = re.compile(r"""([^\s=]+)=(?:"([^"]*)"|'([^']*)')""")


def assert_not_executable(html):
    """Only allowed tags, only href and rel attributes, only http(s)/mailto links, no <!--;
    and inert as a browser's parser reads it (tests/html_audit.py)."""
    assert_comment_html_is_inert(html)
    assert "<!" not in html, html
    for closing, name, attributes in TAG.findall(html):
        assert name.lower() in ALLOWED_TAGS, html
        if closing:
            assert not attributes.strip(), html
            continue
        pairs = [(key, double or single) for key, double, single in ATTRIBUTE.findall(attributes)]
        assert ATTRIBUTE.sub("", attributes).strip() == "", html
        names = [attribute for attribute, _ in pairs]
        if name == "a":
            assert names == ["href", "rel"], html
            href = dict(pairs)["href"]
            assert re.match(r"(https?|mailto):", href, re.IGNORECASE), html
            assert dict(pairs)["rel"] == "nofollow ugc noopener", html
        else:
            assert names == [], html
    # Outside tags, markup characters are escaped.
    assert "<" not in TAG.sub("", html), html


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                [
                    "<script>",
                    "</script>",
                    "<a href=",
                    "javascript:",
                    "&#x6a;avascript:",
                    "onerror=",
                    "<svg",
                    "<img src=x ",
                    '"',
                    "'",
                    ">",
                    "<",
                    "https://x.nl",
                    "<style>",
                    "<!--",
                    "-->",
                    "<![CDATA[",
                    "<noscript>",
                    "<math>",
                    "\n\n",
                ]
            ),
        ),
        max_size=12,
    ).map("".join)
)
def test_no_sanitised_comment_contains_an_executable_construct(text):
    assert_not_executable(render_comment_html(text))


def test_blank_detection_sees_through_markup():
    assert is_blank_html(render_comment_html("<b> </b>&nbsp;"))
    assert not is_blank_html(render_comment_html("<b>x</b>"))
