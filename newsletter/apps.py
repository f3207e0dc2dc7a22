from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    label = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        from mail.registry import on_worker_start, register_kind, rename_task
        from newsletter import mails
        from newsletter.sending import resume_unfinished_sends, send_newsletter

        register_kind(mails.NEWSLETTER)
        register_kind(mails.NEWSLETTER_CONFIRMATION)
        on_worker_start(resume_unfinished_sends)
        # The task's path before the newsletter was an app of its own.
        rename_task("comments.newsletter.send_newsletter", send_newsletter)
