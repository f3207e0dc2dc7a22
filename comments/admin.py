from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_comments.models import Comment as PlainComment
from django_comments_xtd.models import XtdComment

from articles.models import Article
from comments.models import Comment, Subscription, visible_comment_count
from comments.moderation import (
    approve_comments,
    delete_comments,
    pick_comments,
    remove_comments,
)
from comments.rendering import plain_text
from comments.tasks import notify_subscribers

# Only our model is moderated here; the base models' admins would show the same rows.
for base_model in (PlainComment, XtdComment):
    if admin.site.is_registered(base_model):
        admin.site.unregister(base_model)


class CommentStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Comment.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Comment.Status.values:
            return queryset.with_status(self.value())
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # The status second: at 1,280 px it is on screen beside a short excerpt.
    list_display = [
        "excerpt",
        "status",
        "user_name",
        "user_email",
        "article",
        "submit_date",
    ]
    list_filter = [CommentStatusFilter, "is_pick", "submit_date"]
    search_fields = ["user_name", "user_email", "comment", "ip_address"]
    date_hierarchy = "submit_date"
    list_select_related = ["content_type"]
    actions = ["approve", "remove", "mark_as_spam", "pick", "unpick"]
    ordering = ["-submit_date"]
    fields = [
        "user_name",
        "user_email",
        "user_url",
        "comment",
        "rendered",
        "is_public",
        "is_removed",
        "is_spam",
        "badge",
        "submit_date",
        "edited_at",
        "ip_address",
        "article_link",
    ]
    readonly_fields = ["rendered", "submit_date", "edited_at", "ip_address", "article_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("content_object")

    # IP addresses only for those with the permission "Can see commenters' IP addresses".
    @staticmethod
    def can_see_ip_address(request):
        return request.user.has_perm("comments.view_ip_address")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.can_see_ip_address(request):
            return fields
        return [field for field in fields if field != "ip_address"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if self.can_see_ip_address(request):
            return fields
        return [field for field in fields if field != "ip_address"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if self.can_see_ip_address(request):
            return fields
        return [field for field in fields if field != "ip_address"]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] == "ip_address" and not (
            request is not None and self.can_see_ip_address(request)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            function, name, _description = actions["delete_selected"]
            # Not to be confused with "remove" (hide, replies stay): this one is for good.
            actions["delete_selected"] = (
                function,
                name,
                _("Delete selected comments for good (replies stay, under a placeholder)"),
            )
        return actions

    def delete_model(self, request, obj):
        self.delete_queryset(request, Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        _deleted, kept = delete_comments(queryset)
        if kept:
            self.message_user(
                request,
                ngettext(
                    "%d comment with replies was emptied instead: its replies stay, "
                    "under “This comment has been removed.”.",
                    "%d comments with replies were emptied instead: their replies stay, "
                    "under “This comment has been removed.”.",
                    kept,
                )
                % kept,
                messages.WARNING,
            )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # renders comment_html if the text changed
        if obj.is_visible and obj.notifications_queued_at is None:
            notify_subscribers.enqueue(obj.pk)

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        """The text as readers see it (not what was typed, markup and all), shortened."""
        return Truncator(plain_text(comment.comment_html)).chars(60) or "—"

    @admin.display(description=_("article"))
    def article(self, comment):
        return comment.content_object

    @admin.display(description=_("article"))
    def article_link(self, comment):
        return format_html(
            '<a href="{}">{}</a>', comment.get_absolute_url(), comment.content_object
        )

    @admin.display(description=_("as shown on the site"))
    def rendered(self, comment):
        return mark_safe(comment.comment_html)  # noqa: S308 - sanitised when saved

    @admin.display(description=_("status"))
    def status(self, comment):
        return comment.status.label

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        count = approve_comments(queryset)
        self.message_user(
            request,
            ngettext("%d comment approved.", "%d comments approved.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Hide selected comments (“removed”; replies stay)"), permissions=["change"]
    )
    def remove(self, request, queryset):
        count = remove_comments(queryset)
        self.message_user(
            request,
            ngettext("%d comment removed.", "%d comments removed.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected comments as editors' picks"), permissions=["change"])
    def pick(self, request, queryset):
        count = pick_comments(queryset, picked=True)
        self.message_user(
            request,
            ngettext("%d comment picked.", "%d comments picked.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("No longer pick selected comments"), permissions=["change"])
    def unpick(self, request, queryset):
        count = pick_comments(queryset, picked=False)
        self.message_user(
            request,
            ngettext("%d comment no longer picked.", "%d comments no longer picked.", count)
            % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_as_spam(self, request, queryset):
        count = remove_comments(queryset, spam=True)
        self.message_user(
            request,
            ngettext("%d comment marked as spam.", "%d comments marked as spam.", count) % count,
            messages.SUCCESS,
        )


class SubscriptionKindFilter(admin.SimpleListFilter):
    """The newsletter's subscribers apart from the followers of discussions."""

    title = _("kind")
    parameter_name = "soort"

    def lookups(self, request, model_admin):
        return [("nieuwsbrief", _("Newsletter")), ("discussie", _("Discussions"))]

    def queryset(self, request, queryset):
        if self.value() == "nieuwsbrief":
            return queryset.filter(article__isnull=True)
        if self.value() == "discussie":
            return queryset.filter(article__isnull=False)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "article", "scope", "language", "confirmed_at", "created_at"]
    list_filter = [
        SubscriptionKindFilter,
        "scope",
        "language",
        ("confirmed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "article__title"]
    list_select_related = ["article"]
    raw_id_fields = ["article"]
    readonly_fields = ["confirmed_at", "confirmation_sent_at", "created_at", "updated_at"]


# The articles' admin (articles/) shows each article's number of visible comments.
RegisteredArticleAdmin = type(admin.site.get_model_admin(Article))


class ArticleWithCommentsAdmin(RegisteredArticleAdmin):
    list_display = [*RegisteredArticleAdmin.list_display, "comment_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(comment_count=visible_comment_count())

    @admin.display(description=_("comments"), ordering="comment_count")
    def comment_count(self, article):
        return article.comment_count


admin.site.unregister(Article)
admin.site.register(Article, ArticleWithCommentsAdmin)
