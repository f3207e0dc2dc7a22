from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment

from comments.rendering import render_comment_html


class CommentQuerySet(models.QuerySet):
    def for_article(self, article):
        return self.filter(
            content_type=ContentType.objects.get_for_model(article),
            object_pk=str(article.pk),
            site_id=settings.SITE_ID,
        )

    def visible(self):
        """Comments readers see and count: approved and not removed."""
        return self.filter(is_public=True, is_removed=False)

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

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["thread_id", "order"]

    def save(self, *args, **kwargs):
        self.comment_html = render_comment_html(self.comment)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.content_object.get_absolute_url()}#c{self.pk}"

    @property
    def is_visible(self):
        return self.is_public and not self.is_removed


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
