from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from comments.forms import REFRESH_CAPTCHA
from comments.models import Comment
from moderation.forms import ReportForm
from moderation.reports import report_comment


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
        return render(request, "moderation/report_sent.html", {**context, "report": sent})
    return render(request, "moderation/report.html", context)
