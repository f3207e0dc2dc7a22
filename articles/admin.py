from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles.models import Article, Author, Section, Tip
from articles.revisions import changes_on_restore


class TipInline(admin.TabularInline):
    model = Tip
    extra = 3
    fields = ["position", "text"]


class PublicationStateFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", Article.Status.DRAFT.label),
            ("scheduled", _("Scheduled")),
            ("published", Article.Status.PUBLISHED.label),
        ]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "published":
            return queryset.published()
        return queryset


# Other apps add to this admin by registering a subclass in its place (the comment count
# from comments/, the newsletter's column and action from newsletter/).
@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    list_display = [
        "title",
        "publication_state",
        "published_at",
        "section",
        "author",
        "comments_enabled",
    ]
    list_filter = [PublicationStateFilter, "section", "comments_enabled"]
    search_fields = ["title", "lead", "body", "author__name", "author_name"]
    list_select_related = ["section", "author"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TipInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "section",
                    "lead_image",
                    "lead_image_alt",
                    "lead",
                    "body",
                    "tags",
                ]
            },
        ),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
        (
            _("Discussion"),
            {"fields": ["comments_enabled", "comment_moderation", "discussion_notice"]},
        ),
        (_("Author"), {"fields": ["author", "author_name", "author_role", "author_user"]}),
    ]
    raw_id_fields = ["author_user"]
    autocomplete_fields = ["author", "lead_image"]

    # Autosave: unsaved text kept in the editor's browser. The offer to restore it is in
    # templates/admin/articles/article/change_form.html, translated, for the script to show.
    # What a restore changes: templates/reversion/articles/article/revision_form.html.
    class Media:
        js = ["js/admin-autosave.js"]
        css = {"all": ["css/admin-autosave.css", "css/admin-revisions.css"]}

    @admin.display(description=_("status"), ordering="status")
    def publication_state(self, article):
        if article.is_scheduled:
            return _("Scheduled")
        return article.get_status_display()

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A restore saves the form over what the revert already wrote to the database, so
        # save_model sees no change: it needs the article as it was before the restore.
        article = self.get_object(request, unquote(object_id))
        request.article_before_restore = article
        version = article and Version.objects.get_for_object(article).filter(pk=version_id).first()
        if version:
            extra_context = {
                **(extra_context or {}),
                "changes_on_restore": changes_on_restore(article, version),
            }
        return super().revision_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        before = getattr(request, "article_before_restore", None)
        if before:
            obj.content_changed_at = timezone.now()
        super().save_model(request, obj, form, change)
        if before and before.slug != obj.slug:
            obj.keep_former_slug(
                before.slug, was_published=before.status == Article.Status.PUBLISHED
            )


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
