from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Author, Section, Tip


class TipInline(admin.TabularInline):
    model = Tip
    extra = 3
    fields = ["position", "text"]


# Other apps add to this admin by registering a subclass in its place (the comment count
# from comments/, the newsletter's column and action from newsletter/).
@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "section", "author", "comments_enabled"]
    list_filter = ["status", "section", "comments_enabled"]
    search_fields = ["title", "lead", "body", "author__name", "author_name"]
    list_select_related = ["section", "author"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TipInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "lead", "body", "tags"]}),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
        (
            _("Discussion"),
            {"fields": ["comments_enabled", "comment_moderation", "discussion_notice"]},
        ),
        (_("Author"), {"fields": ["author", "author_name", "author_role", "author_user"]}),
    ]
    raw_id_fields = ["author_user"]
    autocomplete_fields = ["author"]


# Browsing: sections and authors, edited by editors.
@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "slug"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "position", "description"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "user"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "role", "biography", "photo", "user"]
    raw_id_fields = ["user"]
