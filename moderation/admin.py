import re

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.models import Article
from comments.admin import CommentAdmin
from comments.models import Comment
from moderation import queue
from moderation.decisions import decide
from moderation.forms import DecisionForm, ModeratorAlertsForm
from moderation.models import (
    Ban,
    Decision,
    Ground,
    ModeratorAlerts,
    QueuedComment,
    Report,
    SpamFilterState,
    WordRule,
)
from moderation.spam_filter import MIN_EXAMPLES_PER_CLASS
from moderation.spam_scoring import retrain


def can_moderate(request):
    return request.user.is_active and request.user.has_perm("comments.change_comment")


@admin.register(QueuedComment)
class ModerationQueueAdmin(admin.ModelAdmin):
    """The moderators' screen: the queues, each item with what is needed to decide."""

    def has_view_permission(self, request, obj=None):
        return can_moderate(request)

    def has_change_permission(self, request, obj=None):
        return can_moderate(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.queue_view),
                name="moderation_queuedcomment_changelist",
            ),
            path(
                "beslissen/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="moderation_decide",
            ),
            path(
                "mijn-meldingen/",
                self.admin_site.admin_view(self.alerts_view),
                name="moderation_alerts",
            ),
        ]

    def alerts_view(self, request):
        """A moderator's own choice: held and reported comments by e-mail, or not."""
        if not can_moderate(request):
            raise PermissionDenied
        alerts = ModeratorAlerts.objects.filter(user=request.user).first() or ModeratorAlerts(
            user=request.user
        )  # stored only when the moderator saves a choice
        form = ModeratorAlertsForm(request.POST or None, instance=alerts)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Your choice is saved."))
            return redirect("admin:moderation_queuedcomment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("My e-mail alerts"),
            "opts": self.opts,
            "form": form,
            "has_address": bool(request.user.email),
        }
        return TemplateResponse(request, "moderation/alerts.html", context)

    def queue_view(self, request):
        if not can_moderate(request):
            raise PermissionDenied
        current = request.GET.get("wachtrij", queue.DEFAULT_QUEUE)
        if current not in queue.QUEUE_NAMES:
            current = queue.DEFAULT_QUEUE
        can_see_ip = request.user.has_perm("comments.view_ip_address")
        article_id = request.GET.get("artikel", "")
        article_id = int(article_id) if re.fullmatch(r"[0-9]{1,18}", article_id) else None
        search = request.GET.get("q", "")[:200]
        comments = queue.filtered(
            queue.queue_comments(current),
            article_id=article_id,
            search=search,
            can_see_ip=can_see_ip,
        )
        page = Paginator(comments, settings.MODERATION_QUEUE_PAGE_SIZE).get_page(
            request.GET.get("pagina")
        )
        items = queue.load_items(page.object_list, can_see_ip=can_see_ip)
        # After an action the next item opens; after the last one, the one before it.
        for index, item in enumerate(items):
            neighbour = items[index + 1] if index + 1 < len(items) else items[index - 1]
            item.next_pk = neighbour.comment.pk if neighbour is not item else None
        counts = queue.queue_counts()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation"),
            "opts": self.opts,
            "queues": [(q, counts[q.name]) for q in queue.QUEUES],
            "current": next(q for q in queue.QUEUES if q.name == current),
            "items": items,
            "page": page,
            "articles": Article.objects.order_by("-published_at").only("pk", "title")[:300],
            "article_id": article_id,
            "search": search,
            "grounds": Ground.choices,
            "durations": Ban.Duration.choices,
            "can_see_ip": can_see_ip,
            "return_to": request.get_full_path(),
            "alerts": ModeratorAlerts.objects.filter(user=request.user).first(),
        }
        return TemplateResponse(request, "moderation/queue.html", context)

    def decide_view(self, request):
        if not can_moderate(request):
            raise PermissionDenied
        back = request.POST.get("return_to", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:moderation_queuedcomment_changelist")
        form = DecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        data = form.cleaned_data
        if data["action"] == Decision.Action.BAN and not request.user.has_perm(
            "moderation.add_ban"
        ):
            raise PermissionDenied
        count = decide(
            data["comments"],
            action=data["action"],
            moderator=request.user,
            ground=data["ground"],
            note=data["note"],
            ban_for=data["ban_for"] or None,
        )
        label = Decision.Action(data["action"]).label
        messages.success(
            request,
            ngettext("%(count)d comment %(action)s.", "%(count)d comments %(action)s.", count)
            % {"count": count, "action": label},
        )
        next_item = request.POST.get("next_item", "")
        anchor = f"#item-{next_item}" if next_item.isdigit() else ""
        return redirect(back + anchor)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The moderation log: who decided what, when and why. Nobody edits it."""

    list_display = ["created_at", "moderator_name", "action", "ground", "comment_link", "note"]
    list_filter = ["action", "ground", "created_at"]
    search_fields = ["moderator_name", "comment_summary", "note"]
    date_hierarchy = "created_at"
    list_select_related = ["comment"]

    def has_view_permission(self, request, obj=None):
        return can_moderate(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("comment"))
    def comment_link(self, decision):
        if decision.comment_id is None:
            return decision.comment_summary
        url = reverse("admin:comments_comment_change", args=[decision.comment_id])
        return format_html('<a href="{}">{}</a>', url, decision.comment_summary)


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "ip_network",
        "ends_at",
        "in_force",
        "note",
        "created_by",
        "created_at",
    ]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["email", "ip_network", "note"]
    fields = ["email", "ip_network", "ends_at", "note", "comment", "lifted_at"]
    readonly_fields = ["comment", "lifted_at"]
    actions = ["lift"]

    # IP addresses and ranges only for those who may see commenters' IP addresses.
    @staticmethod
    def _without_ip(request, names):
        if request.user.has_perm("comments.view_ip_address"):
            return names
        return [name for name in names if name != "ip_network"]

    def get_list_display(self, request):
        return self._without_ip(request, super().get_list_display(request))

    def get_search_fields(self, request):
        return self._without_ip(request, super().get_search_fields(request))

    def get_fields(self, request, obj=None):
        return self._without_ip(request, super().get_fields(request, obj))

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, ban):
        return ban.is_in_force

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Lift the selected blocks"), permissions=["change"])
    def lift(self, request, queryset):
        count = queryset.filter(lifted_at__isnull=True).update(lifted_at=timezone.now())
        self.message_user(request, ngettext("%d block lifted.", "%d blocks lifted.", count) % count)


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    list_display = ["word", "effect", "created_at"]
    list_filter = ["effect"]
    search_fields = ["word"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reason", "comment", "email", "decided_at"]
    list_filter = ["reason", ("decided_at", admin.EmptyFieldListFilter)]
    search_fields = ["explanation", "email"]
    list_select_related = ["comment"]
    readonly_fields = ["comment", "reason", "explanation", "email", "language", "created_at"]

    def has_add_permission(self, request):
        return False


class ModeratedCommentAdmin(CommentAdmin):
    """The comment list's actions go through decide(), so they are logged as well; the
    status is changed only that way (or in the queue), never by ticking a box."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "is_public", "is_removed", "is_spam"]

    def _decide(self, request, queryset, action, **options):
        count = decide(queryset, action=action, moderator=request.user, **options)
        self.message_user(
            request,
            ngettext("%(count)d comment %(action)s.", "%(count)d comments %(action)s.", count)
            % {"count": count, "action": Decision.Action(action).label},
            messages.SUCCESS,
        )

    def approve(self, request, queryset):
        self._decide(request, queryset, Decision.Action.APPROVE)

    def remove(self, request, queryset):
        self._decide(request, queryset, Decision.Action.REJECT)

    def mark_as_spam(self, request, queryset):
        self._decide(request, queryset, Decision.Action.SPAM)


for name in ("approve", "remove", "mark_as_spam"):
    method = getattr(ModeratedCommentAdmin, name)
    original = getattr(CommentAdmin, name)
    method.short_description = original.short_description
    method.allowed_permissions = original.allowed_permissions

admin.site.unregister(Comment)
admin.site.register(Comment, ModeratedCommentAdmin)


def as_percent(share):
    return gettext("%(percent)d%%") % {"percent": round(share * 100)}


def how_often_right(state):
    """The held-out figures in words a moderator reads at a glance."""
    if not state.is_trained:
        return gettext(
            "Not trained yet: the filter needs at least %(minimum)d approved and %(minimum)d "
            "spam comments to learn from, and scores no comment until then."
        ) % {"minimum": MIN_EXAMPLES_PER_CLASS}
    tested = gettext(
        "Tested on %(count)d of the moderators' own past decisions, held out from its training."
    ) % {"count": state.held_out}
    if state.precision is None:
        found = gettext("It called none of them spam, so it caught none of the real spam.")
    else:
        found = gettext(
            "Of the comments the filter called spam, %(precision)s was really spam "
            "(precision); of the real spam it caught %(recall)s (recall)."
        ) % {"precision": as_percent(state.precision), "recall": as_percent(state.recall or 0)}
    return f"{tested} {found}"


@admin.register(SpamFilterState)
class SpamFilterStateAdmin(admin.ModelAdmin):
    """What the spam filter learnt and how often it was right; moderators read it and
    retrain it, nobody edits it."""

    list_display = ["trained_at", "learnt_from", "how_often_right", "threshold"]
    fields = [
        "trained_at",
        "learnt_from",
        "how_often_right",
        "threshold",
        "held_out",
        "true_positives",
        "false_positives",
        "true_negatives",
        "false_negatives",
    ]
    readonly_fields = fields
    actions = ["retrain_now"]

    def has_view_permission(self, request, obj=None):
        return can_moderate(request) or super().has_view_permission(request, obj)

    def has_retrain_permission(self, request):
        return can_moderate(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("learnt from"))
    def learnt_from(self, state):
        total = state.ham_examples + state.spam_examples
        return ngettext(
            "%(total)d decision: %(ham)d approved, %(spam)d spam",
            "%(total)d decisions: %(ham)d approved, %(spam)d spam",
            total,
        ) % {"total": total, "ham": state.ham_examples, "spam": state.spam_examples}

    @admin.display(description=_("how often the filter was right"))
    def how_often_right(self, state):
        return how_often_right(state)

    @admin.action(description=_("Retrain the spam filter now"), permissions=["retrain"])
    def retrain_now(self, request, queryset):
        state = retrain()
        self.message_user(request, how_often_right(state), messages.SUCCESS)
