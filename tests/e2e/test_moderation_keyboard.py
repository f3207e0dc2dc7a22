"""The moderators' queue in the admin, in Chromium, as a moderator (not a superuser) uses it.

- The queue with held comments (each with its reasons), one of them reported by readers,
  has no axe-core violations and meets no CSP violation (browser_errors).
- The keyboard alone: j/k move, a approves, r and a ground rejects, s marks spam, b with a
  ground and a duration blocks, x selects, ? shows the shortcuts; after each action the
  next item is current. No shortcut fires while typing in the search or note field.
- A bulk rejection needs a ground (none is chosen beforehand).
- Without JavaScript the buttons work and the page opens at the next item.
- Nothing overflows sideways at 1280 pixels, nor on a phone.
- docs/screenshots/moderation-queue.png is made here, from fixed content.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, SCREENSHOTS

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article, comments and the "Moderatoren" group the migrations made.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUEUE = reverse("admin:moderation_queuedcomment_changelist")
USERNAME = "moderator"
PASSWORD = "een-lang-wachtwoord"
PHONE = {"width": 390, "height": 844}
SCREENSHOT_SIZE = {"width": 1280, "height": 900}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The order of the queue "Te beoordelen": oldest first.
HELD = ["henk", "pieter", "marieke", "leads", "sanne"]


def at(day, hour, minute):
    return datetime.datetime(2024, 3, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def moderator(transactional_db, django_user_model):
    """A moderator as the site makes them: staff in the group "Moderatoren", no superuser."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        USERNAME,
        "moderator@example.nl",
        PASSWORD,
        is_staff=True,
        first_name="Mo",
        last_name="Derator",
    )
    user.groups.add(Group.objects.get(name="Moderatoren"))
    return user


def comment(article, *, name, email, text, submit_date, **fields):
    """A comment on the article as the site stores it (its HTML rendered on save)."""
    from django.contrib.contenttypes.models import ContentType

    from comments.models import Comment

    fields.setdefault("is_public", False)
    new = Comment(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=1,
        user_name=name,
        user_email=email,
        comment=text,
        submit_date=submit_date,
        **fields,
    )
    new.save()
    return new


@pytest.fixture
def queue_items(seed_article, moderator):
    """Five held comments on the seed article, with fixed texts, dates and histories.

    Henk's answers the article's author, was approved once and is held again because
    readers reported it; Marieke answers Laila Simonis; the lead seller sent spam before.
    Returns the primary keys by short name.
    """
    from comments.models import Comment
    from moderation.decisions import summary
    from moderation.models import Decision, Report

    laila = Comment.objects.get(user_name="Laila Simonis")
    jorie = Comment.objects.get(user_name="Jorie Post")
    henk = comment(
        seed_article,
        name="Henk Visser",
        email="h.visser@visserinstallatie.nl",
        text=(
            "Dit soort adviezen komt altijd van mensen die zelf nooit een bedrijf hebben "
            "gehad. Typisch weer zo'n kantoorfiguur die denkt dat hij het beter weet."
        ),
        submit_date=at(11, 16, 20),
        parent_id=jorie.pk,
        hold_reasons=[{"code": "reports", "detail": "3"}],
    )
    Decision.objects.create(
        comment=henk,
        comment_summary=summary(henk),
        action=Decision.Action.APPROVE,
        moderator_name="Fatima El Amrani",
        created_at=at(11, 17, 2),
    )
    reports = [
        ("offensive", "Een persoonlijke aanval op de schrijver, geen inhoudelijke reactie."),
        ("offensive", ""),
        ("misleading", "De schrijver heeft wel degelijk een eigen bedrijf."),
    ]
    for number, (reason, explanation) in enumerate(reports, start=1):
        Report.objects.create(
            comment=henk,
            reason=reason,
            explanation=explanation,
            reporter=f"lezer{number}@example.nl",
            created_at=at(12, 8, 10 * number),
        )
    comment(
        seed_article,
        name="Pieter Bakker",
        email="pieter@bakkerijbakker.nl",
        text="Eerder schreef ik al over onze eigen richtlijnen voor het personeel.",
        submit_date=at(4, 20, 45),
        is_public=True,
    )
    pieter = comment(
        seed_article,
        name="Pieter Bakker",
        email="pieter@bakkerijbakker.nl",
        text=(
            "Voor wie een voorbeeld zoekt: de KvK heeft een handig stappenplan op "
            "https://www.kvk.nl/advies-en-informatie/ en bij https://ondernemersplein.nl/ "
            "staan modelafspraken. Ons eigen beleid staat op https://bakkerijbakker.nl/beleid."
        ),
        submit_date=at(12, 9, 14),
        hold_reasons=[{"code": "links", "detail": "3"}],
    )
    marieke = comment(
        seed_article,
        name="Marieke de Jong",
        email="marieke@dejongadvies.nl",
        text=(
            "Eens met Laila, maar voor een eenmanszaak is een heel beleid wat zwaar. "
            "Wij houden het bij drie afspraken op één A4: wie reageert, hoe snel, en wat "
            "nooit online gaat."
        ),
        submit_date=at(12, 10, 2),
        parent_id=laila.pk,
        hold_reasons=[{"code": "new_commenter"}],
    )
    earlier_spam = comment(
        seed_article,
        name="Leadgenerator Pro",
        email="info@leadgenerator-pro.example",
        text="Meer klanten? Wij leveren 500 leads per week!",
        submit_date=at(1, 3, 12),
        is_removed=True,
        is_spam=True,
    )
    Decision.objects.create(
        comment=earlier_spam,
        comment_summary=summary(earlier_spam),
        action=Decision.Action.SPAM,
        ground="spam",
        moderator_name="Fatima El Amrani",
        created_at=at(1, 8, 30),
    )
    leads = comment(
        seed_article,
        name="Leadgenerator Pro",
        email="info@leadgenerator-pro.example",
        text=(
            "Meer klanten via LinkedIn? Wij leveren gegarandeerd 500 warme leads per week. "
            "Bel vandaag nog voor een gratis proefweek!"
        ),
        submit_date=at(12, 10, 37),
        ip_address="203.0.113.77",
        spam_score=0.97,
        hold_reasons=[
            {"code": "suspect_word", "detail": "gegarandeerd"},
            {"code": "spam_score", "detail": "0,97"},
        ],
    )
    sanne = comment(
        seed_article,
        name="Sanne Mulder",
        email="sanne.mulder@example.nl",
        text=(
            "Goede tips. Nog een aanvulling: spreek af wie er namens het bedrijf op "
            "klachten reageert, anders antwoorden er drie collega's tegelijk."
        ),
        submit_date=at(12, 11, 5),
        hold_reasons=[{"code": "premoderation"}],
    )
    pks = {
        "henk": henk.pk,
        "pieter": pieter.pk,
        "marieke": marieke.pk,
        "leads": leads.pk,
        "sanne": sanne.pk,
    }
    queued = list(Comment.objects.held().order_by("submit_date", "pk").values_list("pk", flat=True))
    assert queued == [pks[name] for name in HELD]
    return pks


# Pages and items


def log_in(page):
    """Log in as the moderator through the admin's form; the queue opens.

    axe-core does not check the login page: it is Django's own, and has no h1.
    """
    page.goto(f"{reverse('admin:login')}?next={QUEUE}")
    page.get_by_label("Gebruikersnaam").fill(USERNAME)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Te beoordelen"))).to_be_visible()


def item(page, pk):
    return page.locator(f"#item-{pk}")


def expect_current(page, pk):
    """The item is the current one: marked, focused, and on the screen."""
    current = item(page, pk)
    expect(current).to_have_class(re.compile(r"\bis-current\b"))
    expect(current).to_be_focused()
    expect(current).to_be_in_viewport()
    expect(page.locator(".queue-item.is-current")).to_have_count(1)


def expect_decided_and_at(page, pk, message):
    """After an action: back in the queue, the next item in the address and current."""
    expect(page).to_have_url(re.compile(rf"{re.escape(QUEUE)}#item-{pk}$"))
    expect(page.locator(".messagelist")).to_contain_text(message)
    expect_current(page, pk)


def stored(pk):
    from comments.models import Comment

    return Comment.objects.get(pk=pk)


# The queue as it opens


def test_a_moderator_opens_the_queue_without_violations(page, queue_items, axe):
    log_in(page)

    items = page.locator(".queue-item")
    expect(items).to_have_count(len(HELD))
    for index, name in enumerate(HELD):
        expect(items.nth(index)).to_have_id(f"item-{queue_items[name]}")
    henk = item(page, queue_items["henk"])
    why = henk.locator(".queue-item__why")
    expect(why).to_contain_text("gemeld door 3 lezers")
    expect(why).to_contain_text(
        "gemeld: beledigend of haatzaaiend — “Een persoonlijke aanval op de schrijver"
    )
    expect(why).to_contain_text("gemeld: misleidend")
    expect(henk.locator(".queue-item__parent")).to_contain_text("In reactie op Jorie Post:")
    expect(henk.locator(".queue-item__history")).to_contain_text("Fatima El Amrani: goedgekeurd")
    expect(item(page, queue_items["pieter"]).locator(".queue-item__why")).to_contain_text(
        "te veel links (3)"
    )
    marieke = item(page, queue_items["marieke"])
    expect(marieke.locator(".queue-item__parent")).to_contain_text("In reactie op Laila Simonis:")
    leads = item(page, queue_items["leads"])
    expect(leads.locator(".queue-item__why")).to_contain_text("een verdacht woord: “gegarandeerd”")
    expect(leads.locator(".queue-item__history")).to_contain_text("2 reacties")
    # The moderator may not see IP addresses.
    expect(page.locator("#content")).not_to_contain_text("203.0.113.77")
    axe(page)

    # The reported comment is in the queue "Gemeld" too.
    page.get_by_role("navigation", name="Wachtrijen").get_by_role(
        "link", name=re.compile("^Gemeld")
    ).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Gemeld"))).to_be_visible()
    expect(page.locator(".queue-item")).to_have_count(1)
    expect_current(page, queue_items["henk"])
    axe(page)
    # browser_errors (a fixture of `page`) fails the test on any CSP violation.


# The keyboard alone


def test_the_keyboard_alone_works_through_the_queue(page, queue_items, axe):
    from moderation.models import Ban, Decision

    henk, pieter, marieke, leads, sanne = (queue_items[name] for name in HELD)
    log_in(page)
    axe(page)
    expect_current(page, henk)

    page.keyboard.press("j")
    expect_current(page, pieter)
    page.keyboard.press("j")
    expect_current(page, marieke)
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect_current(page, henk)
    page.keyboard.press("k")  # the first stays the first
    expect_current(page, henk)

    # a: approved, and the next one opens.
    page.keyboard.press("a")
    expect_decided_and_at(page, pieter, "1 reactie goedgekeurd.")
    axe(page)
    assert stored(henk).is_visible
    assert Decision.objects.filter(comment_id=henk, action="approve").count() == 2

    # r: the ground first (Escape goes back), then Enter rejects.
    ground = item(page, pieter).locator('select[name="ground"]')
    page.keyboard.press("r")
    expect(ground).to_be_focused()
    page.keyboard.press("Escape")
    expect_current(page, pieter)
    page.keyboard.press("r")
    expect(ground).to_be_focused()
    page.keyboard.press("Enter")  # no ground yet: nothing happens
    expect(ground).to_be_focused()
    expect(page).to_have_url(re.compile(rf"{re.escape(QUEUE)}#item-{pieter}$"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(ground).to_have_value("offensive")
    page.keyboard.press("Enter")
    expect_decided_and_at(page, marieke, "1 reactie afgewezen.")
    axe(page)
    assert stored(pieter).is_removed and not stored(pieter).is_spam
    decision = Decision.objects.get(comment_id=pieter)
    assert (decision.action, decision.ground) == ("reject", "offensive")

    # s: spam.
    page.keyboard.press("s")
    expect_decided_and_at(page, leads, "1 reactie als spam gemarkeerd.")
    axe(page)
    assert stored(marieke).is_spam
    assert Decision.objects.get(comment_id=marieke).action == "spam"

    # b: the ground, Enter, how long, Enter.
    current = item(page, leads)
    page.keyboard.press("b")
    expect(current.locator('select[name="ground"]')).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(current.locator('select[name="ground"]')).to_have_value("spam")
    page.keyboard.press("Enter")
    duration = current.locator('select[name="ban_for"]')
    expect(duration).to_be_focused()
    assert stored(leads).status == "held"  # Enter in the ground did not reject it
    page.keyboard.press("ArrowDown")
    expect(duration).to_have_value("7d")
    page.keyboard.press("Enter")
    # The last but one: the last opens.
    expect_decided_and_at(page, sanne, "1 reactie afgewezen, schrijver geblokkeerd.")
    axe(page)
    ban = Ban.objects.get()
    assert ban.email == "info@leadgenerator-pro.example"
    assert ban.ip_network == "203.0.113.77"
    assert (ban.ends_at - ban.created_at) == datetime.timedelta(days=7)
    decision = Decision.objects.get(comment_id=leads)
    assert (decision.action, decision.ground) == ("ban", "spam")
    assert stored(leads).is_removed

    # x: selected for a bulk action, and no longer.
    box = item(page, sanne).locator(".queue-item__select")
    page.keyboard.press("x")
    expect(box).to_be_checked()
    page.keyboard.press("x")
    expect(box).not_to_be_checked()

    # ?: the shortcuts, and away again.
    help = page.locator("#queue-help")
    page.keyboard.press("?")
    expect(help).to_have_attribute("open", "")
    expect(help.get_by_text("volgende / vorige reactie")).to_be_visible()
    axe(page)
    page.keyboard.press("?")
    expect(help).not_to_have_attribute("open", "")
    expect_current(page, sanne)

    # Typing in the search field or a note fires no shortcut.
    search = page.get_by_label("Tekst, naam of e-mailadres")
    search.focus()
    page.keyboard.type("jkasbrx?")
    expect(search).to_have_value("jkasbrx?")
    expect(search).to_be_focused()
    note = item(page, sanne).get_by_label("Notitie")
    note.focus()
    page.keyboard.type("a is spam, b r x ?")
    expect(note).to_have_value("a is spam, b r x ?")
    expect(note).to_be_focused()
    expect(help).not_to_have_attribute("open", "")
    expect(box).not_to_be_checked()
    expect(item(page, sanne)).to_have_class(re.compile(r"\bis-current\b"))
    expect(page).to_have_url(re.compile(rf"{re.escape(QUEUE)}#item-{sanne}$"))
    assert stored(sanne).status == "held"
    assert not Decision.objects.filter(comment_id=sanne).exists()


def test_shortcuts_work_from_an_items_checkbox(page, queue_items, axe):
    """Tab takes the focus into an item, to its checkbox: no text field, the keys work."""
    henk, pieter = queue_items["henk"], queue_items["pieter"]
    log_in(page)
    axe(page)
    expect_current(page, henk)
    page.keyboard.press("Tab")
    box = item(page, henk).locator(".queue-item__select")
    expect(box).to_be_focused()
    page.keyboard.press("x")
    expect(box).to_be_checked()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    page.keyboard.press("j")
    expect_current(page, pieter)


def test_a_bulk_rejection_needs_a_ground(page, queue_items, axe):
    """The selection's ground starts empty: rejecting without one marks nothing as spam."""
    from moderation.models import Decision

    henk, pieter = queue_items["henk"], queue_items["pieter"]
    log_in(page)
    axe(page)
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    bulk = page.locator("#bulk")
    expect(bulk.get_by_label("Reden")).to_have_value("")
    bulk.get_by_role("button", name="Afwijzen").click()
    expect(page.locator(".messagelist")).to_contain_text("Kies de reden om af te wijzen.")
    axe(page)
    assert stored(henk).status == stored(pieter).status == "held"
    assert not Decision.objects.filter(comment_id__in=[henk, pieter], action="reject").exists()

    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    bulk.get_by_label("Reden").select_option("off_topic")
    bulk.get_by_role("button", name="Afwijzen").click()
    expect(page.locator(".messagelist")).to_contain_text("2 reacties afgewezen.")
    axe(page)
    for pk in (henk, pieter):
        assert stored(pk).status == "removed"
        assert Decision.objects.get(comment_id=pk, action="reject").ground == "off_topic"


# Without JavaScript


def test_approving_without_javascript_opens_the_next_item(nojs_page, queue_items):
    """axe-core is a script: it cannot run here (the same page is checked with JavaScript)."""
    page = nojs_page
    henk, pieter = queue_items["henk"], queue_items["pieter"]
    # Low enough that the second item starts below the window.
    page.set_viewport_size({"width": DESKTOP["width"], "height": 600})
    log_in(page)
    expect(item(page, pieter)).not_to_be_in_viewport()

    item(page, henk).get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(QUEUE)}#item-{pieter}$"))
    expect(page.locator(".messagelist")).to_contain_text("1 reactie goedgekeurd.")
    expect(item(page, henk)).to_have_count(0)
    # The page opens at the next item (scrolled past the tabs), marked as the current one.
    next_item = item(page, pieter)
    expect(next_item).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 0
    expect(next_item).to_have_css("outline-style", "solid")
    expect(page.locator(".queue-item.is-current")).to_have_count(0)
    assert stored(henk).is_visible


# Layout


def test_the_actions_fit_at_1280_pixels(page, queue_items, axe):
    log_in(page)
    axe(page)
    first = item(page, queue_items["henk"])
    expect(first).to_be_visible()
    viewport = page.viewport_size["width"]
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, box
    assert first.evaluate("e => e.scrollWidth <= e.clientWidth"), "the item overflows"
    controls = first.locator(".queue-item__actions").locator("button, select, input:visible")
    assert controls.count() >= 7
    for index in range(controls.count()):
        control = controls.nth(index)
        expect(control).to_be_visible()
        own = control.bounding_box()
        name = control.evaluate("e => e.outerHTML.slice(0, 80)")
        assert own["x"] >= box["x"], name
        assert own["x"] + own["width"] <= box["x"] + box["width"], name
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport, f"the queue scrolls sideways at {viewport}px ({width}px wide)"


def test_the_queue_fits_a_phone_screen(page, queue_items, axe):
    page.set_viewport_size(PHONE)
    log_in(page)
    expect_current(page, queue_items["henk"])
    axe(page)
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["inner"], f"the queue scrolls sideways on a phone: {sizes}"
    for name in HELD:
        box = item(page, queue_items[name]).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)


# The screenshot for the README


def test_screenshot_of_the_queue(page, queue_items, axe):
    page.set_viewport_size(SCREENSHOT_SIZE)
    log_in(page)
    axe(page)
    expect_current(page, queue_items["henk"])
    expect(page.locator(".queue-item")).to_have_count(len(HELD))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "moderation-queue.png"
    # The window, not the whole page: the queue as a moderator first sees it.
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert path.stat().st_size > 10_000
