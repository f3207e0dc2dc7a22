"""A reader reads the seed article's comments and replies, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    COMMENT_ITEMS,
    REFRESH_CAPTCHA,
    WRONG_CODE,
    captcha_key,
    comment_item,
    posted_comment_pk,
    reply_link,
    text_of_comment,
    writer_of,
    wrong_answer,
)

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POST_COMMENT = "Reactie plaatsen"
NOT_POSTED = "Uw reactie is nog niet geplaatst."
PHONE = {"width": 390, "height": 844}


def own_header(page, pk):
    """The header of comment pk itself, not of its replies."""
    return page.locator(f"li#c{pk} > article > header")


def fill_comment(form, *, name, email, text):
    form.locator("#id_name").fill(name)
    form.locator("#id_email").fill(email)
    form.locator("#id_comment").fill(text)


def expect_captcha_image_loaded(form):
    image = form.locator("img.captcha__image")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0, "the captcha image did not load"


def expect_posted_reply(page, *, parent, name, text):
    pk = posted_comment_pk(page)
    reply = page.locator(f"li#c{parent} > ol > li#c{pk}")
    expect(reply).to_be_visible()
    expect(writer_of(reply)).to_have_text(name)
    expect(text_of_comment(reply)).to_contain_text(text)
    return pk


def test_article_shows_the_five_seed_comments_in_threads(page, seed_comments, screenshot):
    page.goto(ARTICLE_PATH)

    discussion = page.locator("#reacties")
    expect(discussion.get_by_role("heading", name=re.compile("^Reacties"))).to_be_visible()
    expect(discussion.locator(COMMENT_ITEMS)).to_have_count(5)
    expect(page.locator("#reacties > ol.comments > li")).to_have_count(3)

    expected = [
        ("sonja", "Sonja", "10-05-2012 10:48"),
        ("laila", "Laila Simonis", "10-05-2012 11:48"),
        ("jorie", "Jorie Post", "10-05-2012 12:48"),
        ("wilco", "Wilco Verdoold", "14-05-2012 19:19"),
        ("wilco_reply", "Wilco Verdoold", "15-05-2012 18:57"),
    ]
    for key, name, time in expected:
        header = own_header(page, seed_comments[key])
        expect(header.locator("> b")).to_have_text(name)
        expect(header.locator("time")).to_have_text(time)

    expect(comment_item(page, seed_comments["sonja"])).to_contain_text(
        "Deze reactie is verwijderd."
    )
    laila = comment_item(page, seed_comments["laila"])
    expect(laila).to_contain_text("Leuk artikel! Helemaal mee eens.")
    expect(laila.locator("ol li")).to_contain_text("Jorie Post")
    expect(laila.locator(f"> ol > li#c{seed_comments['jorie']}")).to_be_visible()
    expect(own_header(page, seed_comments["jorie"]).locator(".comment__badge")).to_have_text(
        "auteur"
    )
    wilco = comment_item(page, seed_comments["wilco"])
    expect(wilco.locator(f"ol li#c{seed_comments['wilco_reply']}")).to_contain_text(
        "De rechtstreekse URL is:"
    )
    # Every comment with text can be answered; without JavaScript the link opens the form's page.
    for name, pk in seed_comments.items():
        if name == "sonja":
            expect(reply_link(page, pk)).to_have_count(0)
        else:
            expect(reply_link(page, pk)).to_have_attribute("href", re.compile(rf"\?op={pk}$"))

    screenshot(page, "article-comments.png")


def test_article_fits_a_phone_screen(page, seed_comments, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(ARTICLE_PATH)

    expect(page.locator("h1")).to_have_text("Drie tips voor social mediarichtlijnen")
    jorie = comment_item(page, seed_comments["jorie"])
    expect(jorie).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px wide)"
    box = jorie.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]

    screenshot(page, "article-phone.png")


def test_reply_with_javascript_after_a_new_captcha(page, seed_comments, captcha_answer):
    laila = seed_comments["laila"]
    page.goto(ARTICLE_PATH)

    reply_link(page, laila).click()
    form = page.locator(f"#reply-slot-{laila} form.comment-form")
    expect(form).to_be_visible()
    expect(form.locator(".comment-form__context")).to_have_text("Uw reactie op Laila Simonis")
    expect(form.locator("#id_name")).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "$"))
    expect_captcha_image_loaded(form)

    image = form.locator("img.captcha__image")
    old_src = image.get_attribute("src")
    old_key = captcha_key(form)
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()
    expect(image).not_to_have_attribute("src", old_src)
    expect(form.locator("input[name='captcha_0']")).not_to_have_value(old_key)
    expect(form.locator("input[name='captcha_1']")).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "$"))
    expect_captcha_image_loaded(form)

    text = "Goede aanvulling, Laila. Wij lieten de OR meelezen met onze richtlijnen."
    fill_comment(form, name="Eva de Vries", email="eva@example.nl", text=text)
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=POST_COMMENT).click()

    expect_posted_reply(page, parent=laila, name="Eva de Vries", text=text)
    expect(page.locator(f"#reacties {COMMENT_ITEMS}")).to_have_count(6)


def test_wrong_code_keeps_the_text_and_a_right_code_posts_it(
    page, seed_comments, captcha_answer, screenshot
):
    wilco = seed_comments["wilco"]
    page.goto(ARTICLE_PATH)
    reply_link(page, wilco).click()
    form = page.locator(f"#reply-slot-{wilco} form.comment-form")
    expect(form).to_be_visible()

    text = "Handige generator, die ga ik proberen.\n\nKlopt het dat hij gratis is?"
    fill_comment(form, name="Pieter Bakker", email="pieter@example.nl", text=text)
    form.locator("input[name='captcha_1']").fill(wrong_answer(captcha_answer(captcha_key(form))))
    form.get_by_role("button", name=POST_COMMENT).click()

    expect(page).to_have_url(re.compile(r"/reacties/\d+/reageren/$"))
    summary = page.locator(".form-errors")
    expect(summary).to_contain_text(NOT_POSTED)
    expect(summary).to_contain_text(WRONG_CODE)
    expect(summary).to_be_focused()
    form = page.locator("form.comment-form")
    expect(form.locator(".comment-form__context")).to_have_text("Uw reactie op Wilco Verdoold")
    expect(form.locator("#id_name")).to_have_value("Pieter Bakker")
    expect(form.locator("#id_email")).to_have_value("pieter@example.nl")
    expect(form.locator("#id_comment")).to_have_value(text)
    expect_captcha_image_loaded(form)
    screenshot(page, "comment-form-error.png")

    # The summary's error links to the code field.
    summary.get_by_role("link", name=re.compile(WRONG_CODE)).click()
    expect(form.locator("input[name='captcha_1']")).to_be_focused()
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=POST_COMMENT).click()

    expect_posted_reply(
        page, parent=wilco, name="Pieter Bakker", text="Klopt het dat hij gratis is?"
    )


def test_reply_without_javascript(nojs_page, seed_comments, captcha_answer):
    page = nojs_page
    laila = seed_comments["laila"]
    page.goto(ARTICLE_PATH)

    reply_link(page, laila).click()
    expect(page).to_have_url(re.compile(rf"/reacties/\d+/reageren/\?op={laila}$"))
    expect(page.locator("h1")).to_have_text("Reageren")
    expect(page.locator("blockquote.comment-form__quote")).to_contain_text("Laila Simonis")
    form = page.locator("form.comment-form")
    expect_captcha_image_loaded(form)

    text = "Zonder JavaScript reageren werkt ook."
    fill_comment(form, name="Noor Jansen", email="noor@example.nl", text=text)
    old_key = captcha_key(form)
    old_src = form.locator("img.captcha__image").get_attribute("src")
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()

    expect(page).to_have_url(re.compile(r"/reacties/\d+/reageren/$"))
    form = page.locator("form.comment-form")
    expect(form.locator("input[name='captcha_0']")).not_to_have_value(old_key)
    expect(form.locator("img.captcha__image")).not_to_have_attribute("src", old_src)
    expect(page.locator(".form-errors")).to_have_count(0)
    expect(form.locator(".comment-form__context")).to_have_text("Uw reactie op Laila Simonis")
    expect(form.locator("#id_name")).to_have_value("Noor Jansen")
    expect(form.locator("#id_email")).to_have_value("noor@example.nl")
    expect(form.locator("#id_comment")).to_have_value(text)
    expect_captcha_image_loaded(form)

    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=POST_COMMENT).click()

    expect_posted_reply(page, parent=laila, name="Noor Jansen", text=text)


def test_new_top_level_comment_with_javascript(page, seed_comments, captcha_answer):
    page.goto(ARTICLE_PATH)

    page.get_by_role("link", name="Schrijf een reactie").click()
    form = page.locator("#reply-slot- form.comment-form")
    expect(form).to_be_visible()
    expect(form.locator(".comment-form__context")).to_have_count(0)

    text = "Wij gebruiken sinds kort ook social mediarichtlijnen."
    fill_comment(form, name="Sanne Smit", email="sanne@example.nl", text=text)
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=POST_COMMENT).click()

    pk = posted_comment_pk(page)
    comment = page.locator(f"#reacties > ol.comments > li#c{pk}")
    expect(comment).to_contain_text("Sanne Smit")
    expect(comment).to_contain_text(text)
    expect(page.locator("#reacties > ol.comments > li").last).to_have_id(f"c{pk}")
