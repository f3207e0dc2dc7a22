from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from comments.forms import REFRESH_CAPTCHA
from comments.models import Comment
from moderation.forms import ReportForm
from moderation.models import Ground
from moderation.reports import report_comment

MAX_ID = 2**63 - 1  # the largest id a database holds; a larger one is no comment


def report_rate(group, request):
    """MODERATION_REPORT_RATE for a report sent; asking for a new captcha code is free."""
    if REFRESH_CAPTCHA in request.POST:
        return None
    return settings.MODERATION_REPORT_RATE


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="moderation:report", key="ip", rate=report_rate, method="POST", block=False)
def report(request, comment_id):
    """ "Melden": a reader reports a public comment to the moderators."""
    if comment_id > MAX_ID:
        raise Http404
    comment = Comment.objects.visible().on_articles().filter(pk=comment_id).first()
    if comment is None:
        raise Http404
    article = comment.content_object
    if article is None or not article.is_published:
        raise Http404
    form = ReportForm.for_request(request)
    context = {"comment": comment, "article": article, "form": form}
    if request.method == "POST" and getattr(request, "limited", False):
        context["form"] = ReportForm(initial=request.POST)
        context["notice"] = _(
            "You have sent many reports in a short time. Wait a while and try again; your "
            "text is kept below."
        )
        return render(request, "moderation/report.html", context, status=429)
    if form.is_valid():
        data = form.cleaned_data
        sent = report_comment(
            comment=comment,
            reason=data["reason"],
            law=data["law"],
            explanation=data["explanation"],
            name=data["name"],
            email=data["email"],
            language=request.LANGUAGE_CODE,
            ip_address=request.client_ip or None,
        )
        # To a page of its own: reloading the thanks does not send the form again.
        thanks = reverse("moderation:report-sent", args=[comment.pk])
        return redirect(f"{thanks}?bevestiging=1" if sent.email else thanks)
    return render(request, "moderation/report.html", context)


@require_http_methods(["GET", "HEAD"])
def report_sent(request, comment_id):
    comment = Comment.objects.on_articles().filter(pk=min(comment_id, MAX_ID)).first()
    if comment is None or comment.content_object is None:
        raise Http404
    context = {
        "article": comment.content_object,
        "confirmation_sent": request.GET.get("bevestiging") == "1",
    }
    return render(request, "moderation/report_sent.html", context)


def rules(request):
    """The rules for comments: what is removed and why, how moderation works, how to object."""
    context = {
        "grounds": Ground.choices,
        "reports_to_hold": settings.MODERATION_REPORTS_TO_HOLD,
        "appeal_email": settings.MODERATION_APPEAL_EMAIL,
    }
    return render(request, "moderation/rules.html", context)
