from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mail import outbox
from mail.health import outbox_health
from mail.models import OutgoingMail
from mail.registry import kinds


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.label) for kind in kinds()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(kind=self.value())
        return queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = [
        "to",
        "kind_label",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "error",
        "created_at",
    ]
    list_filter = ["status", KindFilter]
    search_fields = ["to", "key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [
        "key",
        "kind",
        "to",
        "language",
        "params",
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

    def changelist_view(self, request, extra_context=None):
        healthy, facts = outbox_health()
        if not healthy and request.method == "GET":
            minutes = round(facts["oldest_waiting_seconds"] / 60)
            if facts["worker_last_seen_seconds"] is None:
                seen = _("No worker has ever been seen.")
            else:
                seen = _("The worker was last seen %(minutes)d minutes ago.") % {
                    "minutes": round(facts["worker_last_seen_seconds"] / 60)
                }
            self.message_user(
                request,
                _("Mail has been waiting to be sent for %(minutes)d minutes.")
                % {"minutes": minutes}
                + " "
                + seen,
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, mail):
        return mail.kind_label

    @admin.display(description=_("last error"))
    def error(self, mail):
        return Truncator(mail.last_error).chars(60)

    @admin.action(description=_("Try to send the selected e-mails again now"))
    def retry_now(self, request, queryset):
        count = outbox.retry_now(queryset)
        self.message_user(
            request,
            ngettext("%d e-mail queued again.", "%d e-mails queued again.", count) % count,
            messages.SUCCESS,
        )
