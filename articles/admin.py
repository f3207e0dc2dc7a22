from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Article, Tip
from comments import newsletter
from comments.models import visible_comment_count


class TipInline(admin.TabularInline):
    model = Tip
    extra = 3
    fields = ["position", "text"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "published_at",
        "author_name",
        "comment_count",
        "comments_enabled",
        "newsletter",
    ]
    list_filter = ["status", "comments_enabled"]
    search_fields = ["title", "lead", "body", "author_name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TipInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "lead", "body"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "comments_enabled"]}),
        (_("Author"), {"fields": ["author_name", "author_role", "author_user"]}),
    ]
    raw_id_fields = ["author_user"]
    actions = ["send_to_newsletter"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(comment_count=visible_comment_count())
            .select_related("newsletter_send")
        )

    @admin.display(description=_("comments"), ordering="comment_count")
    def comment_count(self, article):
        return article.comment_count

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
        ) % {"count": send.recipients, "date": date_format(localtime(send.queued_at), "j M Y")}

    @admin.action(description=_("Send to newsletter subscribers"), permissions=["change"])
    def send_to_newsletter(self, request, queryset):
        """Asks first; then one task per article: the worker fans it out to the subscribers."""
        to_send, refused = newsletter.sendable(queryset)
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
                    "subscribers": newsletter.subscribers().count(),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for article in to_send:
            newsletter.request_send(article, request.user)
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
