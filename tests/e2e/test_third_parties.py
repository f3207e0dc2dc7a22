"""No third-party requests of any kind: no fonts, analytics or avatars from elsewhere.

The browser records every request a reader's visit makes, links to other sites in
comments included, and each must go to the site itself.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def comment_with_links(seed_article):
    from comments.models import Comment

    return Comment.objects.create(
        content_object=seed_article,
        site_id=1,
        user_name="Lotte",
        user_email="lotte@example.nl",
        user_url="https://lotte.example.com/",
        comment='Zie https://blog.example.com/social <img src="https://example.org/x.png">',
        is_public=True,
    )


def test_a_visit_requests_nothing_from_another_site(page, live_server, comment_with_links):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(ARTICLE_PATH)
    expect(page.get_by_role("link", name="https://blog.example.com/social")).to_be_visible()
    page.get_by_role("link", name="Schrijf een reactie").click()
    expect(page.locator("form.comment-form").first).to_be_visible()
    page.goto("/")
    page.goto("/nieuwsbrief/")
    page.goto("/privacy/")
    page.goto("/privacy/mijn-gegevens/")
    site = urlsplit(live_server.url).netloc
    elsewhere = [url for url in requested if urlsplit(url).netloc != site]
    assert elsewhere == []
    assert any("/captcha/image/" in url for url in requested)  # the form did load
