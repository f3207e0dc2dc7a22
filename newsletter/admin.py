"""The newsletter in the admin: a column and a send action on articles, a CSV export of
subscriptions. Both extend the other apps' admins by registering a subclass in their place."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import Subscription
from newsletter import sending
from newsletter.export import subscriptions_csv
from newsletter.subscribers import subscribers

RegisteredArticleAdmin = type(admin.site.get_model_admin(Article))
RegisteredSubscriptionAdmin = type(admin.site.get_model_admin(Subscription))


class ArticleWithNewsletterAdmin(RegisteredArticleAdmin):
    list_display = [*RegisteredArticleAdmin.list_display, "newsletter"]
    actions = [*(RegisteredArticleAdmin.actions or []), "send_to_newsletter"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("newsletter_send")

    @admin.display(description=_("newsletter"))
    def newsletter(self, article):
        send = getattr(article, "newsletter_send", None)
        if send is None:
            return ""
        if send.queued_at is None:
            return _("being sent")
        return ngettext(
            "sent to %(count)d address on %(date)s",
            "sent to %(count)d addresses on %(date)s",
            send.recipients,
        ) % {"count": send.recipients, "date": date_format(localtime(send.queued_at), "j F Y")}

    @admin.action(description=_("Send to newsletter subscribers"), permissions=["change"])
    def send_to_newsletter(self, request, queryset):
        """Asks first; then one task per article: the worker fans it out to the subscribers."""
        to_send, refused = sending.sendable(queryset)
        for article, reason in refused:
            self.message_user(request, reason % {"title": article.title}, messages.ERROR)
        if not to_send:
            return None
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/articles/article/send_to_newsletter.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Send to the newsletter?"),
                    "articles": to_send,
                    "subscribers": subscribers().count(),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for article in to_send:
            sending.request_send(article, request.user)
        self.message_user(
            request,
            ngettext(
                "%d article will be sent to the newsletter subscribers.",
                "%d articles will be sent to the newsletter subscribers.",
                len(to_send),
            )
            % len(to_send),
            messages.SUCCESS,
        )
        return None


class SubscriptionWithExportAdmin(RegisteredSubscriptionAdmin):
    actions = [*(RegisteredSubscriptionAdmin.actions or []), "export_csv"]

    @admin.action(description=_("Export selected subscriptions as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.select_related("article").order_by("email", "pk")
        response = HttpResponse(subscriptions_csv(rows), content_type="text/csv; charset=utf-8")
        # Translators: the downloaded file's name, without spaces or extension.
        name = gettext("subscribers")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response


admin.site.unregister(Article)
admin.site.register(Article, ArticleWithNewsletterAdmin)
admin.site.unregister(Subscription)
admin.site.register(Subscription, SubscriptionWithExportAdmin)
