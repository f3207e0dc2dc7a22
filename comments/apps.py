from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from django_comments_xtd.models import publish_or_unpublish_on_pre_save

        from articles.page_cache import invalidate_pages
        from comments import mails
        from comments.tasks import queue_pending_notifications
        from mail.registry import on_worker_start, register_kind

        # A comment saved or deleted changes the article page and the listing's counts.
        post_save.connect(invalidate_pages, sender="comments.Comment", dispatch_uid="pages-c-save")
        post_delete.connect(invalidate_pages, sender="comments.Comment", dispatch_uid="pages-c-del")

        # django-comments-xtd unpublishes every reply when a comment is removed;
        # we keep the replies and show the removed comment as a placeholder.
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender="comments.Comment")

        for kind in (mails.NOTIFICATION, mails.CONFIRMATION, mails.MODERATION):
            register_kind(kind)
        on_worker_start(queue_pending_notifications)
