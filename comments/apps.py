from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from django_comments_xtd.models import publish_or_unpublish_on_pre_save

        # django-comments-xtd unpublishes every reply when a comment is removed;
        # we keep the replies and show the removed comment as a placeholder.
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender="comments.Comment")
