"""The admin works under the site's strict Content-Security-Policy in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_editor_logs_in_and_edits_without_csp_violations(page, seed_article, django_user_model):
    django_user_model.objects.create_superuser(
        "redactie", "redactie@example.nl", "een-lang-wachtwoord"
    )
    page.goto("/beheer/")
    page.get_by_label("Gebruikersnaam").fill("redactie")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator('a[href="/beheer/articles/article/"]').first).to_be_visible()

    page.goto(f"/beheer/articles/article/{seed_article.pk}/change/")
    expect(page.locator("#id_title")).to_have_value("Drie tips voor social mediarichtlijnen")
    expect(page.locator("#tips-group")).to_contain_text("Geef zelf het goede voorbeeld.")

    page.goto("/beheer/articles/article/add/")
    page.locator("#id_title").press_sequentially("Nieuw artikel over ondernemen")
    # The admin's own script fills in the slug: it ran despite the strict policy.
    expect(page.locator("#id_slug")).to_have_value("nieuw-artikel-over-ondernemen")

    page.goto("/beheer/comments/comment/?status=public")
    expect(page.locator("#result_list")).to_contain_text("Laila Simonis")
    # browser_errors (a fixture of `page`) fails the test on any CSP violation.
