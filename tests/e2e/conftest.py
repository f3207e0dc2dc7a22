"""Fixtures for the end-to-end tests: Debian's headless Chromium driven by Playwright.

No Playwright browser download is used: the tests launch /usr/bin/chromium. Without
it they are skipped on a developer's machine and fail in CI (the CI variable is set).
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.mail_sink import links_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCALE = "nl-NL"
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"
ARTICLE_PATH = f"/nieuws/2012/05/10/{SEED_SLUG}/"
# What readers see around every captcha.
REFRESH_CAPTCHA = "Klik hier om de code te wijzigen."
WRONG_CODE = "De code klopt niet."
FOLLOW_BOX = "Ik wil bericht per e-mail ontvangen als er meer reacties op dit artikel verschijnen."
POST_COMMENT = "Reactie plaatsen"
THANKS = "Bedankt voor uw reactie."
MAIL_TIMEOUT = 10  # seconds to wait for a mail that should arrive


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests after all others (and after pytest-django's ordering).

    Once Playwright has started, the main thread has a running asyncio event loop until
    the session ends; no other test should run in that state. The browser tests also
    leave the database empty (transactional tests flush it).
    """
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Headless Chromium for the whole session, started after the test database exists."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (make browser)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the browser tests must run in CI")
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # live_server and sync Playwright share this process. Playwright's sync API keeps an
    # asyncio event loop running in the main thread, so Django would refuse the ORM calls
    # the tests make (reading a captcha's answer, setting up and flushing the database)
    # with SynchronousOnlyOperation. Nothing here is actually async, so allow them.
    # Django also keeps a second, empty set of connections for "async" code while a loop
    # runs: go on using the connections the test database was set up with, as only they
    # carry the serialized seed data that serialized_rollback restores after each flush.
    test_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in test_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class BrowserErrors(list):
    """Uncaught script errors and console errors (CSP violations among them) on a page."""

    def watch(self, page):
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on("console", self._console)
        return page

    def _console(self, message):
        url = message.location.get("url", "")
        # Chromium asks for /favicon.ico by itself; the site has none.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.append(f"console: {message.text} ({url})")


def _new_page(browser, live_server, errors, **options):
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALE, viewport=DESKTOP, **options
    )
    return context, errors.watch(context.new_page())


@pytest.fixture
def browser_errors():
    errors = BrowserErrors()
    yield errors
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(browser, live_server, browser_errors):
    """A page with JavaScript, 1280 pixels wide, on the live server."""
    context, new_page = _new_page(browser, live_server, browser_errors)
    yield new_page
    context.close()


@pytest.fixture
def nojs_page(browser, live_server, browser_errors):
    """A page in a context with JavaScript disabled."""
    context, new_page = _new_page(browser, live_server, browser_errors, java_script_enabled=False)
    yield new_page
    context.close()


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    """Post as fast and as often as the tests need; comments open, no moderator mail."""
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    settings.COMMENTS_POST_RATE = "1000/m"
    settings.COMMENTS_CLOSE_AFTER_DAYS = None
    settings.COMMENTS_BLOCKED_WORDS = []
    settings.COMMENTS_MODERATOR_EMAILS = []


@pytest.fixture
def seed_article(transactional_db):
    """The first article, loaded by the data migration (kept by serialized_rollback)."""
    from articles.models import Article

    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def seed_comments(seed_article):
    """The seed comments' primary keys by short name."""
    from comments.models import Comment

    comments = Comment.objects.for_article(seed_article).order_by("submit_date")
    names = ["sonja", "laila", "jorie", "wilco", "wilco_reply"]
    pks = [comment.pk for comment in comments]
    assert len(pks) == len(names), "the seed article should have five comments"
    return dict(zip(names, pks, strict=True))


@pytest.fixture
def captcha_answer():
    """The answer to the captcha with this hashkey, read from the database."""
    from captcha.models import CaptchaStore

    def answer(hashkey):
        return CaptchaStore.objects.get(hashkey=hashkey).response

    return answer


@pytest.fixture
def flite():
    """The path of flite, which speaks the captcha ("Laat de code voorlezen")."""
    from django.conf import settings

    if not (settings.CAPTCHA_FLITE_PATH and shutil.which("flite")):
        reason = "flite is missing: install Debian's flite package (make browser)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the audio captcha must be tested in CI")
        pytest.skip(reason)
    return settings.CAPTCHA_FLITE_PATH


@pytest.fixture
def screenshot():
    """Save a full-page screenshot of a page in docs/screenshots/."""

    def save(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


# Filling in forms


def captcha_key(form):
    return form.locator("input[name='captcha_0']").input_value()


def wrong_answer(answer):
    """A code of the right length that differs from the answer in every letter."""
    return "".join("b" if letter == "a" else "a" for letter in answer)


def post_comment(form, captcha_answer, *, name, email, text, follow=False):
    expect(form).to_be_visible()
    form.locator("#id_name").fill(name)
    form.locator("#id_email").fill(email)
    form.locator("#id_comment").fill(text)
    if follow:
        form.get_by_label(FOLLOW_BOX).check()
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=POST_COMMENT).click()


def posted_comment_pk(page):
    """The comment the success redirect points at (article URL + #c<pk>), with the
    thanks beside it."""
    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + r"#c\d+$"))
    pk = int(page.url.rsplit("#c", 1)[1])
    expect(page.locator(f"#c{pk} > article > .comment__notice")).to_contain_text(THANKS)
    return pk


# A comment in the discussion (comments/threads.py), found by its place, as it has few
# classes: <li id="c<pk>"><article aria-labelledby="n<pk>"><header><b id="n<pk>">writer</b>
# <a href="/reacties/<pk>/"><time>..</time></a></header><div>text</div><footer>Reageren,
# Melden, Waardevol</footer></article><ol>its replies</ol></li>.

# Every comment's item (a placeholder for a removed one included), at any depth.
COMMENT_ITEMS = "li[id^='c']"


def comment_item(page, pk):
    return page.locator(f"li#c{pk}")


def writer_of(comment):
    """The writer's name shown on a comment's item itself (not on its replies')."""
    return comment.locator("> article > header > b")


def text_of_comment(comment):
    return comment.locator("> article > div")


def actions_of(comment):
    """The comment's "Reageren", "Melden" and "Waardevol"."""
    return comment.locator("> article > footer")


def reply_link(page, pk):
    """The "Reageren" link under comment pk (described by its writer's name)."""
    return actions_of(comment_item(page, pk)).locator(f'a[data-reply-to="{pk}"]')


# axe-core


def expect_no_axe_violations(page):
    """axe-core's rules (WCAG 2.0-2.2 A/AA and best practices): no violation of any impact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def axe():
    """expect_no_axe_violations, once axe-playwright-python is known to be installed."""
    try:
        import axe_playwright_python  # noqa: F401 - the test extras bring it
    except ImportError:
        reason = "axe-playwright-python is missing: pip install -e '.[test]' (make test)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the accessibility checks must run in CI")
        pytest.skip(reason)
    return expect_no_axe_violations


# Mail over SMTP


@pytest.fixture
def site_url(settings, live_server):
    """Links in mails point at the live server, so the browser can follow them as they are."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def deliver(smtp_sink, run_worker):
    """Run the worker until `count` mails have arrived for an address (or time is up)."""

    def deliver(address, count):
        deadline = time.monotonic() + MAIL_TIMEOUT
        while True:
            run_worker()
            received = smtp_sink.to(address)
            if len(received) >= count or time.monotonic() > deadline:
                break
        assert len(received) == count, [m["Subject"] for m in received]
        return received

    return deliver


def link_in(message, path):
    """The one link in the mail's text whose URL contains `path`."""
    [link] = [url for url in links_in(message) if path in url]
    return link


@pytest.fixture
def new_visitor(browser, live_server, browser_errors):
    """Open a page in a fresh browser context: another visitor, with no cookies of its own."""
    contexts = []

    def open_page():
        context, new_page = _new_page(browser, live_server, browser_errors)
        contexts.append(context)
        return new_page

    yield open_page
    for context in contexts:
        context.close()


def sideways_overflow(page):
    """The page's width beyond the viewport, and the visible elements that stick out on
    the right: the screen-reader-only texts, the bots' hidden field and what scrolls
    inside a box of its own (the masthead's sections on a phone) aside."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const scrollsItself = (element) => {
                for (let box = element.parentElement; box && box !== document.body;
                     box = box.parentElement) {
                    const overflow = getComputedStyle(box).overflowX;
                    if (overflow === "auto" || overflow === "scroll") return true;
                }
                return false;
            };
            const out = [];
            for (const element of document.querySelectorAll("body *")) {
                if (element.closest(".visually-hidden, .field--hp")) continue;
                const box = element.getBoundingClientRect();
                if (box.width && box.right > width + 0.5 && !scrollsItself(element)) {
                    out.push(`${element.tagName.toLowerCase()}.${element.className}`
                             + ` to ${Math.round(box.right)}px`);
                }
            }
            return {scroll: document.documentElement.scrollWidth - width, elements: out};
        }"""
    )


TAB_LIMIT = 200  # Tab presses to reach a control before a test gives up


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, target):
    """Press Tab until `target` has the focus; fail if it never gets it."""
    expect(target).to_be_visible()
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    pytest.fail(f"{TAB_LIMIT} presses of Tab never reached {target}; the focus is on {focused}")
