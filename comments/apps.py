from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from django_comments_xtd.models import publish_or_unpublish_on_pre_save

        from comments import mails
        from comments.moderation import invalidate_discussion_of
        from comments.tasks import queue_pending_notifications
        from mail.registry import on_worker_start, register_kind

        # A comment saved or deleted changes its article's pages and the listing's counts.
        for signal, uid in ((post_save, "pages-c-save"), (post_delete, "pages-c-del")):
            signal.connect(invalidate_discussion_of, sender="comments.Comment", dispatch_uid=uid)

        # django-comments-xtd unpublishes every reply when a comment is removed;
        # we keep the replies and show the removed comment as a placeholder.
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender="comments.Comment")

        for kind in (mails.NOTIFICATION, mails.CONFIRMATION, mails.MODERATION):
            register_kind(kind)
        on_worker_start(queue_pending_notifications)
