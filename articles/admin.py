from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Tip
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(comment_count=visible_comment_count())

    @admin.display(description=_("comments"), ordering="comment_count")
    def comment_count(self, article):
        return article.comment_count
