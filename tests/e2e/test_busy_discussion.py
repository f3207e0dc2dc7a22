"""A busy discussion in Chromium: 300 comments in 100 threads, paged and sorted.

- Paging and sorting with the keyboard: Tab to a page link or an order and Enter; the
  order is kept while paging, the page links are at the top and the bottom.
- "Toon nog N reacties": with JavaScript, Enter loads the rest of the thread in place and
  the focus goes to the first comment it shows; without, the link opens the thread's page.
  A page whose threads together would show too many replies shows fewer in each.
- "Waardevol": counted once, in place with JavaScript; without, the form comes back to
  the comment with a message beside it.
- "N nieuwe reacties – toon ze" appears while the page is open after another reader
  posts, and shows the new comments without reloading.
- At 390 pixels the paged discussion does not scroll sideways.
axe-core runs on every page opened with JavaScript (it needs JavaScript in the page).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    COMMENT_ITEMS,
    SCREENSHOTS,
    actions_of,
    sideways_overflow,
    tab_to,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
THREADS = 100  # 4 pages of 25
WIDE_REPLIES = 8  # in every fifth thread: 3 shown, 5 behind "Toon nog 5 reacties"
REPLIES_SHOWN = 3
# Replies a page shows in all before its threads show fewer each: no page of this
# discussion comes near it at 3 a thread (30 at most), so every thread shows 3.
REPLIES_PER_PAGE = 50
# Roots recommended most, in that order ("Meest gewaardeerd"); all with 8 replies.
VALUED = {45: 12, 10: 7, 80: 3}
PICKED_THREAD = 45  # its first reply is an editors' pick
FIRST_NAMES = ["Anouk", "Bram", "Chantal", "Daan", "Esra", "Floor", "Gijs", "Hanna", "Iris"]
LAST_NAMES = ["de Boer", "Jansen", "Visser", "Bakker", "Smit", "Mulder", "de Graaf", "Bos"]
TEXTS = [
    "Herkenbaar: wij hebben vorig jaar ook richtlijnen opgesteld, en vooral de uitleg erbij "
    "maakte het verschil.",
    "Klopt, maar voor een eenmanszaak is dit wel erg veel werk. Een paar vuistregels volstaan.",
    "Goed punt over de zakelijke en privéaccounts. Dat loopt bij ons nog weleens door elkaar.",
    "Wij laten nieuwe medewerkers tekenen voor de richtlijnen. Werkt prima.",
    "Is er ook een voorbeeld voor de horeca? Daar gaat het vaak om reviews.",
]


class Discussion:
    """The busy article and its threads: roots[n] and replies[n] (in thread order)."""

    def __init__(self, article, roots, replies):
        self.article, self.roots, self.replies = article, roots, replies
        self.path = article.get_absolute_url()


def writer(number):
    return f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"


@pytest.fixture(autouse=True)
def _replies_shown(settings):
    settings.COMMENTS_REPLIES_SHOWN = REPLIES_SHOWN
    settings.COMMENTS_REPLIES_PER_PAGE = REPLIES_PER_PAGE


@pytest.fixture
def busy(transactional_db):
    return build_busy_discussion()


def replies_in_thread(number):
    if number % 5 == 0:
        return WIDE_REPLIES
    return 1 if number % 2 else 0


def build_busy_discussion():
    """A published article with 300 public comments in 100 threads ten minutes apart:
    every fifth thread has 8 replies, the other odd ones 1; three roots recommended,
    one reply picked by the editors."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article
    from comments.models import Comment
    from comments.moderation import pick_comments
    from comments.rendering import render_comment

    start = timezone.now() - timedelta(days=1)
    article = Article.objects.create(
        title="Zo houdt u de discussie overzichtelijk",
        slug="zo-houdt-u-de-discussie-overzichtelijk",
        status=Article.Status.PUBLISHED,
        published_at=start - timedelta(hours=1),
        lead="Driehonderd reacties op één artikel: zo leest u ze.",
        body="Eerste alinea.\n\n## Tussenkop\n\nTweede alinea.",
        author_name="Redactie",
    )
    content_type = ContentType.objects.get_for_model(Article)
    rendered = [render_comment(text) for text in TEXTS]
    number = iter(range(1000))

    def add(minute):
        n = next(number)
        comment = Comment(
            content_type=content_type,
            object_pk=str(article.pk),
            site_id=1,
            user_name=writer(n),
            user_email=f"lezer{n}@example.nl",
            submit_date=start + timedelta(minutes=minute),
            is_public=True,
        )
        comment.set_text(rendered[n % len(rendered)])  # sanitised once, not 300 times
        # Model.save() without django-comments-xtd's threading, which takes a second
        # save per comment and a few queries per reply: the threads are set below.
        comment.save_base()
        return comment

    roots, replies = [], []
    with transaction.atomic():
        for thread in range(THREADS):
            roots.append(add(thread * 10))
            replies.append([add(thread * 10 + 1 + n) for n in range(replies_in_thread(thread))])
        threaded = []
        for root, thread_replies in zip(roots, replies, strict=True):
            root.thread_id = root.parent_id = root.pk
            root.nested_count = len(thread_replies)
            threaded.append(root)
            for order, reply in enumerate(thread_replies, start=2):
                reply.thread_id, reply.parent_id, reply.level, reply.order = (
                    root.pk,
                    root.pk,
                    1,
                    order,
                )
                threaded.append(reply)
        Comment.objects.bulk_update(
            threaded, ["thread_id", "parent_id", "level", "order", "nested_count"]
        )
        for thread, recommendations in VALUED.items():
            Comment.objects.filter(pk=roots[thread].pk).update(recommend_count=recommendations)
    assert Comment.objects.for_article(article).visible().count() == 300
    pick_comments(Comment.objects.filter(pk=replies[PICKED_THREAD][0].pk), picked=True)
    return Discussion(article, roots, replies)


# Finding things on the page


def top_level_ids(page):
    """The ids of the threads the page lists, in order."""
    ids = page.locator("#reacties > ol.comments > li").evaluate_all(
        "items => items.map(item => Number(item.id.slice(1)))"
    )
    return ids


def page_link(page, number, *, where="first"):
    """A numbered link in the page links at the top ("first") or bottom ("last")."""
    navigation = getattr(page.locator(".discussion__pages"), where)
    return navigation.locator(".discussion__page-list a").nth(number - 1)


def order_link(page, value):
    href = "?#reacties" if value == "oudste" else f"?volgorde={value}#reacties"
    return page.locator(f".discussion__order-link[href='{href}']")


def thread_item(page, comment):
    return page.locator(f"#c{comment.pk}")


def more_link(page, root):
    """The thread's "Toon nog N reacties" link (after its replies, in its item)."""
    return thread_item(page, root).locator("> .comments__more > a")


def body_of(page, comment):
    """The comment itself (its <article>), without its replies."""
    return thread_item(page, comment).locator("> article")


def recommend_button(page, comment):
    return actions_of(thread_item(page, comment)).get_by_role(
        "button", name=re.compile("^Waardevol")
    )


def expect_page(page, *, number, order_ids):
    """The page shows these threads, says which page it is, top and bottom."""
    assert top_level_ids(page) == order_ids
    for where in ("first", "last"):
        expect(page_link(page, number, where=where)).to_have_attribute("aria-current", "page")
    expect(page.locator(".discussion__count")).to_have_text("(300)")


def screenshot_of_discussion(page, name, *, down_to):
    """docs/screenshots/<name>: the discussion from its heading down to an element."""

    def top_and_bottom(locator):
        return locator.evaluate(
            """element => {
                const box = element.getBoundingClientRect();
                return [box.top + window.scrollY, box.bottom + window.scrollY];
            }"""
        )

    top, _ = top_and_bottom(page.locator("#reacties"))
    _, bottom = top_and_bottom(down_to)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / name),
        full_page=True,
        clip={"x": 0, "y": top, "width": page.viewport_size["width"], "height": bottom - top + 16},
    )


# The tests


def test_a_300_comment_discussion_is_paged_and_sorted_with_the_keyboard(page, busy, axe):
    roots = [root.pk for root in busy.roots]
    page.goto(busy.path)
    expect_page(page, number=1, order_ids=roots[:25])
    expect(page.locator(".discussion__pages")).to_have_count(2)
    expect(page.locator(".discussion__page-list").first.locator("a")).to_have_count(4)
    expect(order_link(page, "oudste")).to_have_attribute("aria-current", "true")
    axe(page)

    # Page 2, from the links at the top.
    tab_to(page, page_link(page, 2))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?pagina=2#reacties$"))
    expect_page(page, number=2, order_ids=roots[25:50])
    axe(page)

    # Newest first starts again at page 1 and is kept by the page links.
    tab_to(page, order_link(page, "nieuwste"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?volgorde=nieuwste#reacties$"))
    newest = roots[::-1]
    expect_page(page, number=1, order_ids=newest[:25])
    expect(order_link(page, "nieuwste")).to_have_attribute("aria-current", "true")
    bottom = page_link(page, 3, where="last")
    expect(bottom).to_have_attribute("href", "?pagina=3&volgorde=nieuwste#reacties")
    bottom.focus()  # the bottom links are after 50 comments' worth of Tab stops
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?pagina=3&volgorde=nieuwste#reacties$"))
    expect_page(page, number=3, order_ids=newest[50:75])
    axe(page)

    # Most valued: the recommended threads first, then the oldest.
    tab_to(page, order_link(page, "waardevol"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?volgorde=waardevol#reacties$"))
    valued = [roots[thread] for thread in VALUED]
    rest = [pk for pk in roots if pk not in valued]
    expect_page(page, number=1, order_ids=(valued + rest)[:25])
    expect(page_link(page, 2)).to_have_attribute("href", "?pagina=2&volgorde=waardevol#reacties")
    # The editors' pick, above the threads and marked in its thread.
    picked = busy.replies[PICKED_THREAD][0]
    picks = page.locator(".discussion__picks")
    expect(picks.locator("a.pick__link")).to_have_attribute("href", f"/reacties/{picked.pk}/")
    expect(thread_item(page, picked)).to_have_class(re.compile(r"\bcomment--pick\b"))
    expect(more_link(page, busy.roots[PICKED_THREAD])).to_be_visible()
    axe(page)
    screenshot_of_discussion(
        page, "busy-discussion.png", down_to=more_link(page, busy.roots[PICKED_THREAD])
    )


def more_href(busy, thread, *, shown=REPLIES_SHOWN):
    """Where a thread's "Toon nog" link leads: its own page, at the first reply not shown."""
    from django.urls import reverse

    root, first_hidden = busy.roots[thread], busy.replies[thread][shown]
    return f"{reverse('comments:thread', args=[busy.article.pk, root.pk])}#c{first_hidden.pk}"


def test_toon_nog_shows_the_rest_of_a_thread_in_place_or_on_its_own_page(
    page, nojs_page, busy, axe
):
    root, replies = busy.roots[0], busy.replies[0]
    page.goto(busy.path)
    thread = thread_item(page, root)
    expect(thread.locator(COMMENT_ITEMS)).to_have_count(REPLIES_SHOWN)
    link = more_link(page, root)
    expect(link).to_have_text("Toon nog 5 reacties")
    # Read out with the thread whose replies it shows.
    expect(link).to_have_accessible_description(root.user_name)
    expect(link).to_have_attribute("href", more_href(busy, 0))
    page.evaluate("window.stayedOnThePage = true")

    tab_to(page, link)
    page.keyboard.press("Enter")
    first_new = body_of(page, replies[REPLIES_SHOWN])
    expect(first_new).to_be_focused()
    assert first_new.evaluate("element => element.matches(':focus-visible')"), "no focus ring"
    expect(thread.locator(COMMENT_ITEMS)).to_have_count(WIDE_REPLIES)
    expect(thread.locator(".comments__more a")).to_have_count(0)
    assert page.evaluate("window.stayedOnThePage") is True
    assert page.url.endswith(busy.path)
    # The other threads keep theirs, and Tab goes on from the first new comment.
    expect(more_link(page, busy.roots[5])).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('li[id]').id") == (
        f"c{replies[REPLIES_SHOWN].pk}"
    )
    axe(page)

    # The page the link leads to without JavaScript, with JavaScript (for axe).
    page.goto(more_href(busy, 0))
    expect(page.locator(f"#reacties {COMMENT_ITEMS}")).to_have_count(1 + WIDE_REPLIES)
    axe(page)

    # Without JavaScript the link opens that page, at the first reply not shown before.
    page = nojs_page
    root, replies = busy.roots[5], busy.replies[5]
    page.goto(busy.path)
    expect(thread_item(page, root).locator(COMMENT_ITEMS)).to_have_count(REPLIES_SHOWN)
    more_link(page, root).click()
    expect(page).to_have_url(re.compile(re.escape(more_href(busy, 5)) + "$"))
    shown = page.locator(f"#reacties {COMMENT_ITEMS}").evaluate_all(
        "items => items.map(item => Number(item.id.slice(1)))"
    )
    assert shown == [root.pk] + [reply.pk for reply in replies]
    expect(page.locator(".comments__more a")).to_have_count(0)
    expect(page.locator(f"#c{replies[REPLIES_SHOWN].pk}")).to_be_in_viewport()
    # And back to the article page that shows the thread, at the thread.
    page.locator(".thread-page__back a").click()
    expect(page).to_have_url(re.compile(re.escape(busy.path) + rf"#c{root.pk}$"))


def replies_shown_per_thread(page):
    """How many replies each thread on the page shows, in order."""
    return page.locator("#reacties > ol.comments > li").evaluate_all(
        "items => items.map(item => item.querySelectorAll(\"li[id^='c']\").length)"
    )


def test_a_page_of_busy_threads_shows_two_replies_in_each(page, busy, axe, settings):
    # At 3 a thread the first page would show 25 replies, more than a page may.
    settings.COMMENTS_REPLIES_PER_PAGE = 24
    root, replies = busy.roots[0], busy.replies[0]
    page.goto(busy.path)
    assert replies_shown_per_thread(page) == [min(2, replies_in_thread(n)) for n in range(25)]
    link = more_link(page, root)
    expect(link).to_have_text("Toon nog 6 reacties")
    expect(link).to_have_attribute("href", more_href(busy, 0, shown=2))
    axe(page)

    # "Toon nog" shows the rest in place, from the third reply on.
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(body_of(page, replies[2])).to_be_focused()
    expect(thread_item(page, root).locator(COMMENT_ITEMS)).to_have_count(WIDE_REPLIES)

    # A link to a reply (as in a notification mail) finds it where it is shown: the
    # second on the article page, the third on its thread's page.
    replies = busy.replies[5]
    page.goto(f"/reacties/{replies[1].pk}/")
    expect(page).to_have_url(re.compile(re.escape(busy.path) + rf"#c{replies[1].pk}$"))
    expect(thread_item(page, replies[1])).to_be_in_viewport()
    page.goto(f"/reacties/{replies[2].pk}/")
    expect(page).to_have_url(re.compile(re.escape(more_href(busy, 5, shown=2)) + "$"))
    expect(thread_item(page, replies[2])).to_be_in_viewport()


def test_waardevol_is_counted_once_in_place_or_by_the_form(page, nojs_page, busy, axe):
    from comments.models import Comment, Recommendation

    comment = busy.roots[1]
    page.goto(busy.path)
    body = body_of(page, comment)
    button = recommend_button(page, comment)
    expect(button).to_have_text("Waardevol")  # no count yet
    # Read out with whose comment it values.
    expect(button).to_have_accessible_description(comment.user_name)
    page.evaluate("window.stayedOnThePage = true")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator("span")).to_have_text("1")
    notice = body.locator("> .comment__notice")
    expect(notice).to_have_text("Bedankt: u vindt deze reactie waardevol.")
    # Read out by the status element there since the page loaded (not one added with it).
    expect(page.get_by_role("status").filter(has_text="Bedankt")).to_have_class(
        re.compile("discussion__announcer")
    )

    # The page's one form, sent with the comment of the button.
    with page.expect_response(re.compile(r"/reacties/waardevol/$")) as answer:
        button.click()
    assert answer.value.ok
    assert answer.value.request.post_data == f"reactie={comment.pk}"
    expect(button).to_be_enabled()
    expect(button.locator("span")).to_have_text("1")
    expect(notice).to_have_count(1)
    assert page.evaluate("window.stayedOnThePage") is True
    assert Comment.objects.get(pk=comment.pk).recommend_count == 1
    assert Recommendation.objects.filter(comment_id=comment.pk).count() == 1
    axe(page)

    # Without JavaScript the form is sent and the page comes back at the comment, with
    # the thanks beside it (another reader: no cookie of the first).
    other = busy.roots[3]
    nojs_page.goto(busy.path)
    recommend_button(nojs_page, other).click()
    expect(nojs_page).to_have_url(re.compile(re.escape(busy.path) + rf"#c{other.pk}$"))
    expect(recommend_button(nojs_page, other).locator("span")).to_have_text("1")
    expect(body_of(nojs_page, other).locator("> .comment__notice[role='status']")).to_have_count(1)
    assert Comment.objects.get(pk=other.pk).recommend_count == 1


def test_new_comments_are_offered_while_the_page_is_open(page, busy, axe, settings):
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from articles.models import Article
    from comments.models import Comment

    settings.COMMENTS_POLL_SECONDS = 1
    page.goto(busy.path)
    page.evaluate("window.stayedOnThePage = true")
    fresh = page.locator(".discussion__fresh")
    expect(fresh.locator("button")).to_have_count(0)

    # Another reader posts a new thread and a reply to the first one.
    posted = []
    for text, parent in (
        ("Een nieuwe vraag van een andere lezer.", 0),
        ("En een antwoord aan de eerste lezer.", busy.roots[0].pk),
    ):
        comment = Comment(
            content_type=ContentType.objects.get_for_model(Article),
            object_pk=str(busy.article.pk),
            site_id=1,
            user_name="Andere Lezer",
            user_email="andere.lezer@example.nl",
            comment=text,
            parent_id=parent,
            is_public=True,
        )
        comment.save()
        posted.append(comment)
    # The state endpoint keeps its answer for 5 seconds (the browser may, too).
    cache.delete(f"comments:state:{busy.article.pk}")

    offer = fresh.locator("button.discussion__show-fresh")
    expect(offer).to_be_visible(timeout=10_000)
    expect(offer).to_contain_text("2")
    offer.click()
    shown = fresh.locator(COMMENT_ITEMS)
    expect(shown).to_have_count(2)
    assert shown.evaluate_all("items => items.map(item => Number(item.id.slice(1)))") == [
        comment.pk for comment in posted
    ]
    expect(shown.first).to_contain_text("Een nieuwe vraag van een andere lezer.")
    expect(shown.first.locator("> article")).to_be_focused()
    # The reply says whom it answers, as it is shown outside its thread.
    expect(shown.nth(1).locator(".comment__answered")).to_have_text(busy.roots[0].user_name)
    expect(offer).to_have_count(0)
    assert page.evaluate("window.stayedOnThePage") is True

    # "Toon nog" in the first thread, which the new reply ends: the reply moves from
    # the new comments to its place in the thread (one element with its id).
    more_link(page, busy.roots[0]).click()
    thread = thread_item(page, busy.roots[0])
    expect(thread.locator(COMMENT_ITEMS)).to_have_count(WIDE_REPLIES + 1)
    expect(body_of(page, busy.replies[0][REPLIES_SHOWN])).to_be_focused()
    expect(page.locator(f"[id='c{posted[1].pk}']")).to_have_count(1)
    expect(thread.locator(f"#c{posted[1].pk}")).to_have_count(1)
    expect(shown).to_have_count(1)
    assert page.evaluate("window.stayedOnThePage") is True
    axe(page)


def test_the_paged_discussion_fits_a_phone(page, busy, axe):
    page.set_viewport_size(PHONE)
    page.goto(f"{busy.path}?volgorde=waardevol")
    expect(more_link(page, busy.roots[PICKED_THREAD])).to_be_visible()
    overflow = sideways_overflow(page)
    assert overflow == {"scroll": 0, "elements": []}, overflow
    axe(page)
    screenshot_of_discussion(
        page, "busy-discussion-phone.png", down_to=more_link(page, busy.roots[PICKED_THREAD])
    )

    page_link(page, 3, where="last").click()
    expect(page).to_have_url(re.compile(r"\?pagina=3&volgorde=waardevol#reacties$"))
    more_link(page, busy.roots[50]).click()
    expect(thread_item(page, busy.roots[50]).locator(COMMENT_ITEMS)).to_have_count(WIDE_REPLIES)
    overflow = sideways_overflow(page)
    assert overflow == {"scroll": 0, "elements": []}, overflow
    axe(page)
