import contextlib

import idna
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment

from articles.models import Article
from comments.rendering import plain_text, render_comment

# The name an erased commenter's comments keep (privacy.personal_data.erase); shown translated.
ANONYMOUS_NAME = "Anonieme lezer"


# Comments readers see and count: approved, not removed, not spam.
VISIBLE = models.Q(is_public=True, is_removed=False, is_spam=False)


class CommentQuerySet(models.QuerySet):
    def on_articles(self):
        return self.filter(
            content_type=ContentType.objects.get_for_model(Article), site_id=settings.SITE_ID
        )

    def count_per_article(self, articles):
        """{article id: number of these comments} for the given articles, in one query."""
        counts = (
            self.on_articles()
            .filter(object_pk__in=[str(article.pk) for article in articles])
            .order_by()
            .values_list("object_pk")
            .annotate(count=Count("pk"))
        )
        return {int(object_pk): count for object_pk, count in counts}

    def for_article(self, article):
        return self.filter(
            content_type=ContentType.objects.get_for_model(article),
            object_pk=str(article.pk),
            site_id=settings.SITE_ID,
        )

    def visible(self):
        """Comments readers see and count: approved, not removed, not spam."""
        return self.filter(VISIBLE)

    def held(self):
        return self.filter(is_public=False, is_removed=False, is_spam=False)

    def with_status(self, status):
        match status:
            case Comment.Status.PUBLIC:
                return self.visible()
            case Comment.Status.HELD:
                return self.held()
            case Comment.Status.REMOVED:
                return self.filter(is_removed=True)
            case Comment.Status.SPAM:
                return self.filter(is_spam=True)
        return self

    def by_address(self, email):
        return self.filter(user_email__iexact=email.strip())


class Comment(XtdComment):
    """A reader's reaction to an article, threaded by django-comments-xtd.

    `comment` keeps exactly what the reader typed; `comment_html` is its sanitised
    rendering, made once per text (comments/rendering.py).
    """

    class Status(models.TextChoices):
        PUBLIC = "public", _("public")
        HELD = "held", _("held for approval")
        REMOVED = "removed", _("removed")
        SPAM = "spam", _("spam")

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

    # The comment it answers, when that is deeper than the thread allows: the reply is
    # placed at the deepest level (its parent) and says whom it answers.
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # The language of the page it was posted from: mails to its writer are in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Why it was held when posted ([{"code": ..., "detail": ...}], comments/screening.py),
    # and the spam filter's probability then; both shown to moderators.
    hold_reasons = models.JSONField(_("held because"), default=list, blank=True, editable=False)
    spam_score = models.FloatField(_("spam score"), null=True, blank=True, editable=False)

    # How many readers found it valuable ("Waardevol"), kept on the comment so that the
    # "most valued" order needs no join (comments/recommendations.py keeps it right).
    recommend_count = models.PositiveIntegerField(_("recommended"), default=0, editable=False)
    is_pick = models.BooleanField(
        _("editors' pick"),
        default=False,
        help_text=_("Shown in the strip above the discussion and marked in the thread."),
    )

    # Set once its subscribers' notifications are queued (or none were due).
    notifications_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when its writer last changed the text (comments/own_comments.py); shown as "edited".
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["thread_id", "order"]
        permissions = [("view_ip_address", _("Can see commenters' IP addresses"))]

    # The text that `comment_html` was rendered from: set when both are loaded from the
    # database or given together by set_text(); any other text is rendered on save.
    _rendered_text = None

    @classmethod
    def from_db(cls, db, field_names, values):
        comment = super().from_db(db, field_names, values)
        if "comment" in comment.__dict__ and "comment_html" in comment.__dict__:
            comment._rendered_text = comment.comment
        return comment

    def __str__(self):
        # The text as readers see it, not what was typed (markup and all).
        return f"{self.display_name}: {Truncator(plain_text(self.comment_html)).chars(50)}"

    def save(self, *args, **kwargs):
        text = self.__dict__.get("comment")  # a deferred text has not changed
        if text is not None and text != self._rendered_text:
            self.set_text(render_comment(text))
        super().save(*args, **kwargs)

    def set_text(self, rendered):
        """The reader's text and its sanitised HTML, as render_comment() made them."""
        self.comment, self.comment_html = rendered.text, rendered.html
        self._rendered_text = rendered.text

    @property
    def display_name(self):
        """The name as readers see it: the anonymous one in the page's language."""
        if self.user_name == ANONYMOUS_NAME:
            return _("Anonymous reader")
        return self.user_name

    @property
    def status(self):
        if self.is_spam:
            return self.Status.SPAM
        if self.is_removed:
            return self.Status.REMOVED
        if not self.is_public:
            return self.Status.HELD
        return self.Status.PUBLIC

    def get_absolute_url(self):
        """Its permalink: sends readers to whichever page shows it now (it moves as the
        discussion grows)."""
        return reverse("comments:permalink", args=[self.pk])

    @property
    def is_visible(self):
        return self.is_public and not self.is_removed and not self.is_spam


class Recommendation(models.Model):
    """One reader finding one comment valuable ("Waardevol").

    Readers have no account: `reader` is a keyed hash of the random token in the cookie
    set when they first recommend, `address` one of their IP address (an IPv6 address by
    its /64), which caps how many recommendations one address gives one comment.
    """

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    reader = models.CharField(max_length=64, editable=False)
    address = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reader"], name="one_recommendation_per_reader"
            )
        ]
        indexes = [models.Index(fields=["comment", "address"])]

    def __str__(self):
        return f"{self.comment_id} ← {self.reader[:8]}"


def visible_comment_count():
    """A subquery counting an article's visible comments, for annotating Article querysets."""
    counts = (
        Comment.objects.visible()
        .on_articles()
        .filter(object_pk=Cast(OuterRef("pk"), models.CharField()))
        .order_by()
        .values("object_pk")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts), 0)


def normalise_email(email):
    """One way to write an address: lower case, and the domain in IDNA's ASCII form, so
    "Lezer@Voorbeeld.NL" and its full-width or Unicode-cased twins are one address for
    every per-address rule (limits, subscriptions, data requests)."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return email.strip().lower()
    # IDNA 2008 with UTS 46 mapping, as registries and mail servers read names ("ß" stays
    # "ß", not "ss"). A name it cannot write stays as it is (the forms refuse it).
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    return f"{local}@{domain}".lower()


class SubscriptionQuerySet(models.QuerySet):
    def of(self, email):
        """Every subscription of an address: discussions and the newsletter, confirmed or not."""
        return self.filter(email=normalise_email(email))

    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def active(self):
        """Confirmed subscriptions that still want mail."""
        return self.confirmed().exclude(scope=Subscription.Scope.NONE)


class Subscription(models.Model):
    """An e-mail address following the discussion under one article (double opt-in).

    Without an article it is the address's subscription to the newsletter.
    """

    class Scope(models.TextChoices):
        ALL = "all", _("all new comments on the article")
        REPLIES = "replies", _("only replies to my comments")
        NONE = "none", _("nothing")

    class Status(models.TextChoices):
        """Not a field: what confirmed_at and scope together say."""

        UNCONFIRMED = "unconfirmed", _("not confirmed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        CONFIRMED = "confirmed", _("confirmed")

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

    @property
    def wants_mail(self):
        return self.is_confirmed and self.scope != self.Scope.NONE

    @property
    def status(self):
        if not self.is_confirmed:
            return self.Status.UNCONFIRMED
        if self.scope == self.Scope.NONE:
            return self.Status.UNSUBSCRIBED
        return self.Status.CONFIRMED
