import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles.markup import render_article_html, render_tip_html

# An editor writes this on a line of its own in the body to place the tips.
TIPS_MARKER = "[tips]"
TIPS_MARKER_HTML = f"<p>{TIPS_MARKER}</p>"
# What readers read: a change to one of these (or to a tip) is a change of the content.
CONTENT_FIELDS = ("title", "lead", "body")


def _comparable(text):
    # A browser sends a textarea's lines ending in CRLF and the admin's form strips the
    # text: neither is a change an editor made.
    return text.replace("\r\n", "\n").strip()


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles a reader may see: published, with a publication date that has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=Now())

    def visible_to(self, user):
        """Everything for staff (preview of drafts and scheduled articles), else published()."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()

    # Browsing: sections, tags, authors, related articles.
    def related_to(self, article, limit=4):
        """Published articles that share tags or the section with `article`, most shared
        tags first, then the same section, then the newest. One query when the article's
        tags are prefetched."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids and article.section_id is None:
            return self.none()
        nothing = models.Q(pk__in=[])
        shares = models.Q(tags__in=tag_ids) if tag_ids else nothing
        in_section = models.Q(section_id=article.section_id) if article.section_id else nothing
        candidates = (
            self.published()
            .exclude(pk=article.pk)
            .filter(in_section | shares)
            .annotate(
                shared_tags=models.Count("tags", filter=shares, distinct=True),
                same_section=models.Case(
                    models.When(in_section, then=models.Value(1)),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                ),
            )
        )
        return candidates.select_related("section").order_by(
            "-shared_tags", "-same_section", "-published_at", "-pk"
        )[:limit]

    def for_listing(self):
        """What a listing's teasers show, in one query."""
        return (
            self.published()
            .select_related("section", "lead_image")
            .prefetch_related("lead_image__renditions")
            .only(
                "title",
                "slug",
                "published_at",
                "lead",
                "section__name",
                "section__slug",
                "lead_image",
                "lead_image_alt",
            )
        )

    def scheduled(self):
        """Published by an editor, with a publication date still to come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=Now())


class Section(models.Model):
    """A part of the site (Nieuws, Ondernemen, ...) with its own listing, feed and place
    in the masthead."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("The last part of the section's web address. Do not change it later."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Sections appear in the masthead in this order.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown at the top of the section's listing.")
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(models.Model):
    """A person who writes for the site, with a page that lists their articles."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("The last part of the author's web address. Do not change it later."),
    )
    role = models.CharField(
        _("role"),
        max_length=200,
        blank=True,
        help_text=_("For example: Senior Account Executive bij LEWIS PR."),
    )
    biography = models.TextField(
        _("short biography"),
        blank=True,
        help_text=_("A few sentences, shown on the author's page."),
    )
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profiles",
        help_text=_("The staff account this author logs in with, if any."),
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


# Every save in the admin keeps a revision of the article with its tips (history, restore).
@reversion.register(follow=["tips"])
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_(
            "The last part of the article's web address. Changed after publication, the old "
            "address keeps leading to the article."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication date"),
        default=timezone.now,
        db_index=True,
        help_text=_(
            "A published article with a date in the future stays hidden from readers until then."
        ),
    )
    lead = models.TextField(
        _("lead"), help_text=_("The opening paragraph, shown on the article and in the listing.")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Written in Markdown: a blank line starts a new paragraph, '## ' starts a subheading, "
            "*italic*, **bold**, [link text](https://example.nl). Put [tips] on a line of its own "
            "where the tips should appear. An uploaded image: ![what it shows](image:42), with "
            "the number from the list of images; on a line of its own it gets its caption."
        ),
    )
    body_html = models.TextField(editable=False, default="")
    # Browsing: the section, the author as a person, the tags.
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text=_("The byline links to the author's page."),
    )
    tags = TaggableManager(_("tags"), blank=True, help_text=_("A comma-separated list of tags."))
    author_name = models.CharField(
        _("author's name"),
        max_length=100,
        blank=True,
        help_text=_(
            "Only for a byline without an author's page: leave empty when you choose an author."
        ),
    )
    # Images (the images app): the article's lead image, above the lead.
    lead_image = models.ForeignKey(
        "images.Image",
        verbose_name=_("lead image"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of",
        help_text=_(
            "Optional. Shown above the lead, small in the listing, and when the article is "
            "shared. Upload images under Images."
        ),
    )
    lead_image_alt = models.CharField(
        _("alternative text of the lead image"),
        max_length=250,
        blank=True,
        help_text=_("Only when this article needs another text than the image's own."),
    )
    author_role = models.CharField(
        _("author's role"),
        max_length=200,
        blank=True,
        help_text=_("For example: Senior Account Executive bij LEWIS PR."),
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author's account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text=_("The staff account the author logs in with; marks the author's own replies."),
    )

    class CommentModeration(models.TextChoices):
        NOBODY = "nobody", _("Nobody: comments appear at once")
        NEW_COMMENTERS = "new", _("New commenters: until two of their comments were approved")
        EVERYBODY = "everybody", _("Everybody: every comment waits for a moderator")

    comments_enabled = models.BooleanField(_("comments enabled"), default=True)
    comment_moderation = models.CharField(
        _("moderation before publication"),
        max_length=10,
        choices=CommentModeration,
        default=CommentModeration.NOBODY,
        help_text=_("Whose comments wait for a moderator before readers see them."),
    )
    discussion_notice = models.CharField(
        _("notice above the comments"),
        max_length=300,
        blank=True,
        help_text=_(
            "Shown in a box above the discussion, for example the rules for a sensitive "
            "subject. With moderation before publication, readers are told so in any case."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # dateModified for readers and search engines: moved only by a change of the content
    # (CONTENT_FIELDS, tips, a restored revision), never by a migration or a status toggle.
    content_changed_at = models.DateTimeField(
        _("content last changed"), default=timezone.now, editable=False
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_article_html(self.body)
        stored = None
        if not self._state.adding:
            stored = (
                Article.objects.filter(pk=self.pk).values("slug", "status", *CONTENT_FIELDS).first()
            )
        if stored and any(
            _comparable(stored[name]) != _comparable(getattr(self, name)) for name in CONTENT_FIELDS
        ):
            self.content_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "content_changed_at"}
        super().save(*args, **kwargs)
        if stored and stored["slug"] != self.slug:
            was_published = stored["status"] == self.Status.PUBLISHED
            self.keep_former_slug(stored["slug"], was_published=was_published)

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at)
        return reverse(
            "articles:detail",
            kwargs={
                "year": local.year,
                "month": f"{local.month:02d}",
                "day": f"{local.day:02d}",
                "slug": self.slug,
            },
        )

    def clean(self):
        super().clean()
        if self.slug and (
            FormerSlug.objects.filter(slug=self.slug).exclude(article_id=self.pk).exists()
        ):
            message = _(
                "Another article was published at this address before; its old links still "
                "lead there. Choose another slug."
            )
            raise ValidationError({"slug": ValidationError(message, code="former_slug")})
        if not self.author_id and not self.author_name.strip():
            raise ValidationError(
                {"author": _("Choose an author, or type the author's name below.")},
                code="no_author",
            )

    @property
    def byline_name(self):
        """The author's name as the byline shows it: the author's, else the text field."""
        return self.author.name if self.author_id else self.author_name

    @property
    def byline_role(self):
        return self.author.role if self.author_id else self.author_role

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def lead_image_alt_text(self):
        return self.lead_image_alt or (self.lead_image.alt_text if self.lead_image else "")

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def mark_content_changed(self):
        """Record now as the content's last change (a tip edited, a revision restored)."""
        self.content_changed_at = timezone.now()
        Article.objects.filter(pk=self.pk).update(content_changed_at=self.content_changed_at)

    def keep_former_slug(self, old_slug, *, was_published):
        """Called once the slug changed from old_slug (save() does; so does a restore)."""
        # Taking back an address it had before: that one is current again.
        self.former_slugs.filter(slug=self.slug).delete()
        # A draft's address was never public; a published one may be in feeds, mails,
        # newsletters and search engines, and keeps leading here (articles:detail).
        if was_published:
            FormerSlug.objects.update_or_create(slug=old_slug, defaults={"article": self})

    def body_html_around_tips(self):
        """The body's HTML split where the editor placed the tips (after the body by default)."""
        before, marker, after = self.body_html.partition(TIPS_MARKER_HTML)
        return before, after


@reversion.register()
class Tip(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="tips"
    )
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Tips are shown in ascending order of this number.")
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="unique_tip_position_per_article"
            )
        ]

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        stored = None
        if not self._state.adding:
            stored = Tip.objects.filter(pk=self.pk).values("text", "position").first()
        super().save(*args, **kwargs)
        if (
            stored is None
            or _comparable(stored["text"]) != _comparable(self.text)
            or stored["position"] != self.position
        ):
            self.article.mark_content_changed()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        self.article.mark_content_changed()
        return deleted

    @property
    def text_html(self):
        """The tip's Markdown as sanitised HTML; rendered when the page is (pages are cached)."""
        return render_tip_html(self.text)


class FormerSlug(models.Model):
    """An address an article was published at before its slug changed; it redirects there."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="former_slugs"
    )
    slug = models.SlugField(_("former slug"), max_length=200, unique=True)
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)

    class Meta:
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")
        ordering = ["-replaced_at"]

    def __str__(self):
        return self.slug
