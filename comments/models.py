from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment

from comments.rendering import render_comment_html

# The name an erased commenter's comments keep (comments.privacy.erase); shown translated.
ANONYMOUS_NAME = "Anonieme lezer"


class CommentQuerySet(models.QuerySet):
    def for_article(self, article):
        return self.filter(
            content_type=ContentType.objects.get_for_model(article),
            object_pk=str(article.pk),
            site_id=settings.SITE_ID,
        )

    def visible(self):
        """Comments readers see and count: approved, not removed, not spam."""
        return self.filter(is_public=True, is_removed=False, is_spam=False)

    def held(self):
        return self.filter(is_public=False, is_removed=False)


class Comment(XtdComment):
    """A reader's reaction to an article, threaded by django-comments-xtd.

    `comment` keeps exactly what the reader typed; `comment_html` is its
    sanitised rendering, made once on save.
    """

    class Badge(models.TextChoices):
        NONE = "", _("reader")
        AUTHOR = "author", _("author")
        EDITOR = "editor", _("editors")

    # Named explicitly: the default reverse name "comment" clashes with the text field.
    xtdcomment_ptr = models.OneToOneField(
        XtdComment,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="article_comment",
    )
    comment_html = models.TextField(_("HTML"), editable=False, default="")
    badge = models.CharField(
        _("badge"), max_length=10, choices=Badge, default=Badge.NONE, blank=True
    )
    is_spam = models.BooleanField(_("spam"), default=False, db_index=True)
    # The signed form's one-time key: posting the same form twice finds the
    # first comment instead of creating a second.
    submission_key = models.CharField(  # noqa: DJ001 - NULL for comments without a form
        max_length=64, unique=True, null=True, editable=False
    )

    # Set once its subscribers' notifications are queued (or none were due).
    notifications_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["thread_id", "order"]
        permissions = [("view_ip_address", _("Can see commenters' IP addresses"))]

    def save(self, *args, **kwargs):
        self.comment_html = render_comment_html(self.comment)
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        """The name as readers see it, the anonymous one in the page's language."""
        if self.user_name == ANONYMOUS_NAME:
            return _("Anonymous reader")
        return self.user_name

    def get_absolute_url(self):
        return f"{self.content_object.get_absolute_url()}#c{self.pk}"

    @property
    def is_visible(self):
        return self.is_public and not self.is_removed and not self.is_spam


def visible_comment_count():
    """A subquery counting an article's visible comments, for annotating Article querysets."""
    from articles.models import Article

    counts = (
        Comment.objects.visible()
        .filter(
            content_type=ContentType.objects.get_for_model(Article),
            object_pk=Cast(OuterRef("pk"), models.CharField()),
        )
        .order_by()
        .values("object_pk")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts), 0)


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed subscriptions that still want mail."""
        return self.filter(confirmed_at__isnull=False).exclude(scope=Subscription.Scope.NONE)


class Subscription(models.Model):
    """An e-mail address following the discussion under one article (double opt-in).

    Without an article it is the address's subscription to the newsletter.
    """

    class Scope(models.TextChoices):
        ALL = "all", _("all new comments on the article")
        REPLIES = "replies", _("only replies to my comments")
        NONE = "none", _("nothing")

    email = models.EmailField(_("e-mail address"), max_length=254)
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
        null=True,
        blank=True,
        help_text=_("Empty for the newsletter."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope, default=Scope.ALL)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails to this address."),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation mail sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "article"],
                condition=models.Q(article__isnull=False),
                name="one_subscription_per_address",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(article__isnull=True),
                name="one_newsletter_subscription_per_address",
            ),
        ]
        indexes = [models.Index(fields=["article", "scope"])]

    def __str__(self):
        return f"{self.email} → {self.article or _('newsletter')}"

    @property
    def is_newsletter(self):
        return self.article_id is None

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class OutgoingMail(models.Model):
    """One e-mail in the durable outbox; `key` makes each mail exist only once.

    Notifications have the key "notification:<comment>:<address>", so a retry or a
    crashed worker can never create a second one for the same comment and address.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("subscription confirmation")
        NOTIFICATION = "notification", _("new comment notification")
        MODERATION = "moderation", _("moderator notice")
        NEWSLETTER = "newsletter", _("newsletter")
        DATA_EXPORT = "data_export", _("personal data request")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("given up")
        CANCELLED = "cancelled", _("cancelled")

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    to = models.EmailField(_("to"), max_length=254)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, null=True, blank=True
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    # The article a newsletter mail is about.
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker owns a mail until this moment; after it, a crashed worker's mail is retried.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # A reader's data page, export and erasure look up the mail to their address.
            models.Index(fields=["to"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to}"


class NewsletterSend(models.Model):
    """An editor's request to send an article to the newsletter, until the worker has queued it.

    The worker queues the mails (one outbox row per address, never twice) and then sets
    `queued_at`; a worker that dies before that finds the request again when it starts.
    """

    article = models.OneToOneField(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="newsletter_send",
    )
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("newsletter send")
        verbose_name_plural = _("newsletter sends")

    def __str__(self):
        return str(self.article)
