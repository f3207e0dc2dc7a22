from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Tip


class TipInline(admin.TabularInline):
    model = Tip
    extra = 3
    fields = ["position", "text"]


# Other apps add to this admin by registering a subclass in its place (the comment count
# from comments/, the newsletter's column and action from newsletter/).
@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "author_name", "comments_enabled"]
    list_filter = ["status", "comments_enabled"]
    search_fields = ["title", "lead", "body", "author_name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TipInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "lead_image", "lead_image_alt", "lead", "body"]}),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
        (
            _("Discussion"),
            {"fields": ["comments_enabled", "comment_moderation", "discussion_notice"]},
        ),
        (_("Author"), {"fields": ["author_name", "author_role", "author_user"]}),
    ]
    raw_id_fields = ["author_user"]
    autocomplete_fields = ["lead_image"]
