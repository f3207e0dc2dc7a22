"""Bringing in a WordPress export and a Disqus export (archive_import)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from archive_import.comment_threads import ArchivedComment, Status, add_comments
from archive_import.models import ImportedItem
from articles.models import Article, Author, FormerSlug, Section
from comments.models import Comment
from mail.models import OutgoingMail
from moderation.models import ModeratorAlerts
from tests.image_files import image_bytes

DATA = Path(__file__).parent / "data"
WXR = DATA / "wordpress-export.xml"
DISQUS = DATA / "disqus-export.xml"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><item><title>&lol4;</title></item></channel></rss>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE disqus [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<disqus xmlns="http://disqus.com"><thread><link>&secret;</link></thread></disqus>
"""


def run(command, *args, **options):
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def imported_comment(source, external_id):
    item = ImportedItem.objects.get(source=source, kind="comment", external_id=external_id)
    return Comment.objects.get(pk=item.object_id)


def imported_article(external_id):
    item = ImportedItem.objects.get(source="wordpress", kind="article", external_id=external_id)
    return Article.objects.get(pk=item.object_id)


@pytest.fixture
def media_dir(tmp_path):
    """A copy of the old site's uploads with the featured image's file in it."""
    folder = tmp_path / "uploads-copy"
    path = folder / "wp-content" / "uploads" / "2019" / "03" / "kantoor.jpg"
    path.parent.mkdir(parents=True)
    path.write_bytes(image_bytes(size=(800, 450)))
    return folder


# WordPress


@pytest.mark.django_db
def test_wordpress_dry_run_reports_and_writes_nothing(media_dir, media_root):
    articles, comments = Article.objects.count(), Comment.objects.count()
    output = run("import_wordpress", WXR, media_dir=media_dir, dry_run=True)
    assert "Dry run" in output
    assert "new articles: 4" in output
    assert "new comments: 7" in output
    assert "new images: 1" in output
    assert Article.objects.count() == articles
    assert Comment.objects.count() == comments
    assert not ImportedItem.objects.exists()
    assert not Author.objects.filter(slug="marieke-de-vries").exists()
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*.jpg"))


@pytest.mark.django_db
def test_wordpress_posts_become_articles(media_dir, media_root):
    run("import_wordpress", WXR, media_dir=media_dir)
    article = imported_article("101")
    assert article.title == "Vijf vragen over uw btw-aangifte"
    assert article.slug == "vijf-vragen-over-uw-btw-aangifte"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at.isoformat() == "2019-03-04T09:30:00+00:00"
    assert article.author.name == "Marieke de Vries"
    assert article.section == Section.objects.get(slug="financien")
    assert sorted(article.tags.names()) == ["belastingen", "btw"]
    # No excerpt: the first paragraph is the lead, and not repeated in the body.
    assert article.lead == "Elk kwartaal weer: de btw-aangifte. Wij zetten de vragen op een rij."
    assert "<h2>Wanneer moet u betalen?</h2>" in article.body_html
    assert "<strong>een maand</strong>" in article.body_html
    assert article.lead_image.alt_text == "Een bureau met een laptop aan de keukentafel"
    assert imported_article("102").lead == "Waar u aan moet denken bij uw eerste werknemer."
    assert imported_article("102").title == "Personeel aannemen & de eerste werknemer"
    draft = imported_article("104")
    assert draft.status == Article.Status.DRAFT
    assert draft.slug == "een-half-artikel"
    # The attachment is an image, not an article.
    assert not ImportedItem.objects.filter(kind="article", external_id="201").exists()


@pytest.mark.django_db
def test_wordpress_featured_image_that_is_no_image_is_refused(media_dir, media_root):
    next(media_dir.rglob("kantoor.jpg")).write_bytes(b"<?php system($_GET['c']); ?>")
    output = run("import_wordpress", WXR, media_dir=media_dir)
    assert "featured images refused: 1" in output
    assert imported_article("101").lead_image is None


@pytest.mark.django_db
def test_wordpress_new_section_comes_after_the_existing_ones():
    last = Section.objects.order_by("-position").first()
    Section.objects.filter(slug__in=["financien", "personeel"]).delete()
    run("import_wordpress", WXR)
    assert Section.objects.get(slug="financien").position > last.position


@pytest.mark.django_db
def test_wordpress_html_is_sanitised():
    run("import_wordpress", WXR)
    article = imported_article("101")
    assert "<script" not in article.body_html
    assert "alert" not in article.body
    assert "onclick" not in article.body_html
    reply = imported_comment("wordpress", "1002")
    assert reply.comment_html == "<p>Ja, <em>ook</em> voor een eenmanszaak.</p>"
    assert reply.user_url == ""
    assert imported_comment("wordpress", "1001").user_url == "https://petra.example.nl"


@pytest.mark.django_db
def test_wordpress_comments_keep_their_threads_and_states():
    run("import_wordpress", WXR)
    question = imported_comment("wordpress", "1001")
    answer = imported_comment("wordpress", "1002")
    thanks = imported_comment("wordpress", "1003")
    too_deep = imported_comment("wordpress", "1004")
    assert question.level == 0 and question.thread_id == question.pk
    assert question.user_email == "petra@example.nl"
    assert question.ip_address == "192.0.2.10"
    assert question.submit_date.isoformat() == "2019-03-04T11:00:00+00:00"
    assert (answer.parent_id, answer.level) == (question.pk, 1)
    assert (thanks.parent_id, thanks.level) == (answer.pk, 2)
    # A reply to the deepest level sits beside it and says whom it answers.
    assert (too_deep.parent_id, too_deep.level) == (answer.pk, 2)
    assert too_deep.in_reply_to == thanks
    # The thread reads as if the comments had been posted here, one by one.
    thread = Comment.objects.filter(thread_id=question.pk).order_by("order")
    assert [c.pk for c in thread] == [
        question.pk,
        answer.pk,
        thanks.pk,
        too_deep.pk,
        imported_comment("wordpress", "1007").pk,
    ]
    assert Comment.objects.get(pk=question.pk).nested_count == 4
    assert imported_comment("wordpress", "1005").status == Comment.Status.HELD
    assert imported_comment("wordpress", "1006").status == Comment.Status.SPAM
    assert imported_comment("wordpress", "1007").status == Comment.Status.REMOVED
    # The pingback is not a reader's comment.
    assert not ImportedItem.objects.filter(kind="comment", external_id="1008").exists()


@pytest.mark.django_db
def test_a_long_chain_of_replies_is_one_thread_at_the_deepest_level(make_article, settings):
    """Replies to replies, a thousand and more, listed newest first."""
    article = make_article()
    start = timezone.now() - datetime.timedelta(days=30)
    chain = [
        ArchivedComment(
            external_id=str(number),
            parent_external_id=str(number - 1) if number else None,
            name="Lezer",
            email="lezer@example.nl",
            url="",
            ip_address=None,
            submitted_at=start + datetime.timedelta(minutes=number),
            html=f"Reactie {number}",
            status=Status.PUBLIC,
        )
        for number in reversed(range(1200))
    ]
    assert add_comments(article=article, archived=chain, source="disqus", imported={}) == 1200
    comments = list(Comment.objects.for_article(article).order_by("order"))
    assert len({c.thread_id for c in comments}) == 1
    assert max(c.level for c in comments) == settings.COMMENTS_XTD_MAX_THREAD_LEVEL
    assert [c.comment for c in comments[:3]] == ["Reactie 0", "Reactie 1", "Reactie 2"]
    assert comments[-1].in_reply_to == comments[-2]


@pytest.mark.django_db
def test_wordpress_rerun_creates_nothing(media_dir, media_root):
    run("import_wordpress", WXR, media_dir=media_dir)
    counts = (Article.objects.count(), Comment.objects.count(), ImportedItem.objects.count())
    output = run("import_wordpress", WXR, media_dir=media_dir)
    assert "new articles" not in output
    assert "articles already imported: 4" in output
    assert "comments already imported: 7" in output
    assert "new comments: 0" in output
    assert (
        Article.objects.count(),
        Comment.objects.count(),
        ImportedItem.objects.count(),
    ) == counts


LATER_REPLY = """<wp:comment>
    <wp:comment_id>1009</wp:comment_id>
    <wp:comment_author>Later</wp:comment_author>
    <wp:comment_date_gmt>2019-04-01 09:00:00</wp:comment_date_gmt>
    <wp:comment_content>Nog een antwoord, uit een latere export.</wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
    <wp:comment_parent>1002</wp:comment_parent>
</wp:comment>
"""


@pytest.mark.django_db
def test_wordpress_later_export_adds_only_new_comments_to_their_threads(tmp_path):
    run("import_wordpress", WXR)
    later = tmp_path / "later.xml"
    later.write_text(WXR.read_text().replace("</item>", LATER_REPLY + "</item>", 1))
    output = run("import_wordpress", later)
    assert "new comments: 1" in output
    question, answer = imported_comment("wordpress", "1001"), imported_comment("wordpress", "1002")
    reply = imported_comment("wordpress", "1009")
    assert (reply.thread_id, reply.parent_id, reply.level) == (question.pk, answer.pk, 2)
    # At the end of the replies to its parent; the comments after them move down.
    thread = Comment.objects.filter(thread_id=question.pk).order_by("order")
    expected = ["1001", "1002", "1003", "1004", "1009", "1007"]
    assert [c.pk for c in thread] == [imported_comment("wordpress", e).pk for e in expected]
    assert [c.order for c in thread] == [1, 2, 3, 4, 5, 6]
    assert (question.nested_count, answer.nested_count) == (5, 3)


@pytest.mark.django_db
def test_wordpress_slug_taken_by_another_article_gets_a_suffix(make_article):
    make_article(slug="subsidies", title="Ons eigen artikel")
    output = run("import_wordpress", WXR)
    assert imported_article("103").slug == "subsidies-2"
    assert "'subsidies' was taken" in output


@pytest.mark.django_db
def test_wordpress_imported_page_shows_its_comments(client):
    run("import_wordpress", WXR)
    response = client.get(imported_article("101").get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Geldt dit ook voor een eenmanszaak?" in page
    assert "Wacht nog op goedkeuring." not in page
    assert "Koop nu" not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wordpress_import_sends_no_mail_and_queues_renditions(
    media_dir, media_root, smtp_sink, run_worker, django_user_model
):
    """Not even to a moderator who wants an e-mail at once for each held comment."""
    moderator = django_user_model.objects.create_superuser(
        "hoofdredacteur", "hoofdredacteur@example.nl", "een-lang-wachtwoord"
    )
    ModeratorAlerts.objects.create(user=moderator, frequency=ModeratorAlerts.Frequency.IMMEDIATELY)
    run("import_wordpress", WXR, media_dir=media_dir)
    run_worker()
    assert smtp_sink.messages == []
    assert not OutgoingMail.objects.exists()
    assert imported_article("101").lead_image.renditions.exists()


# Disqus


@pytest.fixture
def disqus_article(make_article):
    """The article whose old address the export's first thread has."""
    return make_article(slug="oude-inkoopgids", title="Inkopen voor uw webwinkel")


@pytest.mark.django_db
def test_disqus_dry_run_reports_and_writes_nothing(disqus_article):
    output = run("import_disqus", DISQUS, dry_run=True)
    assert "new comments: 5" in output
    assert "threads that match no article: 1" in output
    assert "https://oud.example.nl/2017/01/verdwenen-pagina/" in output
    assert not Comment.objects.for_article(disqus_article).exists()
    assert not ImportedItem.objects.exists()


@pytest.mark.django_db
def test_disqus_comments_are_threaded_on_the_matching_article(disqus_article):
    run("import_disqus", DISQUS)
    question = imported_comment("disqus", "9001")
    guest = imported_comment("disqus", "9002")
    agreement = imported_comment("disqus", "9003")
    assert question.object_pk == str(disqus_article.pk)
    assert (guest.parent_id, guest.level) == (question.pk, 1)
    # Listed before its parent in the file, threaded under it all the same.
    assert (agreement.parent_id, agreement.level, agreement.thread_id) == (guest.pk, 2, question.pk)
    assert guest.user_name == "Gast" and guest.user_email == ""
    assert imported_comment("disqus", "9004").status == Comment.Status.REMOVED
    assert imported_comment("disqus", "9005").status == Comment.Status.SPAM
    assert "<script" not in question.comment_html
    assert "cookie" not in question.comment_html
    assert agreement.comment_html == "<p>Eens met Anna.</p><p>Het scheelt <b>veel</b> geld.</p>"
    assert not ImportedItem.objects.filter(external_id="9006").exists()


@pytest.mark.django_db
def test_disqus_rerun_creates_nothing(disqus_article):
    run("import_disqus", DISQUS)
    count = Comment.objects.count()
    output = run("import_disqus", DISQUS)
    assert "new comments: 0" in output
    assert "comments already imported: 5" in output
    assert Comment.objects.count() == count


@pytest.mark.django_db
def test_disqus_finds_an_article_by_former_slug_and_url_map(make_article, tmp_path):
    moved = make_article(slug="inkopen-voor-webwinkels")
    FormerSlug.objects.create(article=moved, slug="oude-inkoopgids")
    kept = make_article(slug="een-nieuwe-plek")
    url_map = tmp_path / "urls.csv"
    url_map.write_text("https://oud.example.nl/2017/01/verdwenen-pagina/,/een-nieuwe-plek/\n")
    output = run("import_disqus", DISQUS, url_map=url_map)
    assert "threads that match no article" not in output
    assert Comment.objects.for_article(moved).count() == 5
    assert Comment.objects.for_article(kept).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_disqus_import_notifies_no_subscriber(disqus_article, subscribe, smtp_sink, run_worker):
    article = disqus_article
    subscribe(article)
    run("import_disqus", DISQUS)
    run_worker()
    assert Comment.objects.for_article(article).count() == 1 + 5
    assert smtp_sink.messages == []


# Hostile and broken files


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("command", "content"),
    [("import_wordpress", BILLION_LAUGHS), ("import_disqus", EXTERNAL_ENTITY)],
)
def test_entity_tricks_are_refused(tmp_path, command, content):
    path = tmp_path / "hostile.xml"
    path.write_text(content)
    with pytest.raises(CommandError, match="refused"):
        run(command, path)
    assert not Article.objects.filter(title__contains="lol").exists()


@pytest.mark.django_db
def test_malformed_file_is_a_clear_error_and_imports_nothing(tmp_path):
    cut = WXR.read_text()[: WXR.read_text().index("<item>", 3000)]
    path = tmp_path / "cut.xml"
    path.write_text(cut)
    with pytest.raises(CommandError, match="not well-formed XML"):
        run("import_wordpress", path)
    assert not ImportedItem.objects.exists()


@pytest.mark.django_db
def test_other_xml_is_not_taken_for_an_export(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<feed><entry/></feed>")
    with pytest.raises(CommandError, match="not a WordPress export"):
        run("import_wordpress", path)
    with pytest.raises(CommandError, match="not a Disqus export"):
        run("import_disqus", path)
