from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.markup import render_article_html

# An editor writes this on a line of its own in the body to place the tips.
TIPS_MARKER = "[tips]"
TIPS_MARKER_HTML = f"<p>{TIPS_MARKER}</p>"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles a reader may see: published, with a publication date that has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=Now())

    def visible_to(self, user):
        """Everything for staff (preview of drafts and scheduled articles), else published()."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the article's web address. Do not change it once published."),
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
    author_name = models.CharField(_("author"), max_length=100)
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
        super().save(*args, **kwargs)

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

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def lead_image_alt_text(self):
        return self.lead_image_alt or (self.lead_image.alt_text if self.lead_image else "")

    def body_html_around_tips(self):
        """The body's HTML split where the editor placed the tips (after the body by default)."""
        before, marker, after = self.body_html.partition(TIPS_MARKER_HTML)
        return before, after


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
