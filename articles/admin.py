from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Article, Tip
from comments.models import visible_comment_count
from comments.newsletter import send_newsletter


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
        return super().get_queryset(request).annotate(comment_count=visible_comment_count())

    @admin.display(description=_("comments"), ordering="comment_count")
    def comment_count(self, article):
        return article.comment_count

    @admin.action(description=_("Send to newsletter subscribers"), permissions=["change"])
    def send_to_newsletter(self, request, queryset):
        """One task per article: the worker fans it out, whatever the number of subscribers."""
        published = set(Article.objects.published().values_list("pk", flat=True))
        sent = 0
        for article in queryset:
            if article.pk not in published:
                self.message_user(
                    request,
                    _("“%(title)s” is not published and was not sent.") % {"title": article.title},
                    messages.ERROR,
                )
                continue
            send_newsletter.enqueue(article.pk)
            sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "%d article will be sent to the newsletter subscribers.",
                    "%d articles will be sent to the newsletter subscribers.",
                    sent,
                )
                % sent,
                messages.SUCCESS,
            )
