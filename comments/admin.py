from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_comments.models import Comment as PlainComment
from django_comments_xtd.models import XtdComment

from comments.models import Comment, OutgoingMail, Subscription
from comments.moderation import approve_comments, remove_comments
from comments.newsletter import subscriptions_csv
from comments.outbox import schedule_delivery
from comments.tasks import notify_subscribers

# Only our model is moderated here; the base models' admins would show the same rows.
for base_model in (PlainComment, XtdComment):
    if admin.site.is_registered(base_model):
        admin.site.unregister(base_model)


class CommentStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("public", _("public")),
            ("held", _("held for approval")),
            ("removed", _("removed")),
            ("spam", _("spam")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "public":
                return queryset.visible()
            case "held":
                return queryset.held()
            case "removed":
                return queryset.filter(is_removed=True)
            case "spam":
                return queryset.filter(is_spam=True)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "user_name",
        "user_email",
        "article",
        "status",
        "submit_date",
    ]
    list_filter = [CommentStatusFilter, "submit_date"]
    search_fields = ["user_name", "user_email", "comment", "ip_address"]
    date_hierarchy = "submit_date"
    list_select_related = ["content_type"]
    actions = ["approve", "remove", "mark_as_spam"]
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
        "ip_address",
        "article_link",
    ]
    readonly_fields = ["rendered", "submit_date", "ip_address", "article_link"]

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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_visible and obj.notifications_queued_at is None:
            notify_subscribers.enqueue(obj.pk)

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        return Truncator(comment.comment).chars(80) or "—"

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
        if comment.is_spam:
            return _("spam")
        if comment.is_removed:
            return _("removed")
        if not comment.is_public:
            return _("held for approval")
        return _("public")

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        count = approve_comments(queryset)
        self.message_user(
            request,
            ngettext("%d comment approved.", "%d comments approved.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Remove selected comments"), permissions=["change"])
    def remove(self, request, queryset):
        count = remove_comments(queryset)
        self.message_user(
            request,
            ngettext("%d comment removed.", "%d comments removed.", count) % count,
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
    actions = ["export_csv"]

    @admin.action(description=_("Export selected subscriptions as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.select_related("article").order_by("email", "pk")
        response = HttpResponse(subscriptions_csv(rows), content_type="text/csv; charset=utf-8")
        # Translators: the downloaded file's name, without spaces or extension.
        name = gettext("subscribers")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = [
        "to",
        "kind",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "error",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to", "key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [
        "key",
        "kind",
        "to",
        "comment",
        "subscription",
        "article",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"))
    def error(self, mail):
        return Truncator(mail.last_error).chars(60)

    @admin.action(description=_("Try to send the selected e-mails again now"))
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=OutgoingMail.Status.SENT).update(
            status=OutgoingMail.Status.PENDING, next_attempt_at=timezone.now(), claimed_until=None
        )
        schedule_delivery()
        self.message_user(
            request,
            ngettext("%d e-mail queued again.", "%d e-mails queued again.", count) % count,
            messages.SUCCESS,
        )
