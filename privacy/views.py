"""The privacy page, and a reader's own data behind an encrypted link from a mail.

A GET only shows a page; downloading and erasing are POSTs from its buttons.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comments.forms import EmailCaptchaForm
from comments.link_pages import invalid_link, link_rate_limited, slow_down
from comments.links import InvalidLink
from privacy import personal_data
from privacy.forms import ErasureForm


def _invalid_link(request, error):
    return invalid_link(request, error, template="privacy/link_invalid.html")


def privacy_page(request):
    return render(
        request,
        "privacy/privacy.html",
        {
            "ip_retention_days": settings.COMMENTS_IP_RETENTION_DAYS,
            "subscription_retention_days": settings.SUBSCRIPTION_RETENTION_DAYS,
            "mail_history_days": settings.MAIL_HISTORY_DAYS,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def data_request(request):
    form = EmailCaptchaForm.for_request(request)
    if form.is_valid():
        personal_data.request_data_mail(form.cleaned_data["email"])
        return render(request, "privacy/requested.html")
    return render(request, "privacy/request.html", {"form": form})


def _data_page(request, token, email, **context):
    return render(
        request,
        "privacy/data.html",
        {"email": email, "token": token, "summary": personal_data.summary(email), **context},
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def data(request, token):
    try:
        email = personal_data.email_from_data_token(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    return _data_page(request, token, email, form=ErasureForm())


@never_cache
@require_POST
@link_rate_limited("privacy:export", method="POST")
def download(request, token):
    try:
        email = personal_data.email_from_data_token(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    if request.limited:
        return slow_down(request)
    body = json.dumps(personal_data.export(email), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    # Translators: the start of the downloaded file's name, without spaces.
    name = _("my-data")
    filename = f"{name}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@never_cache
@require_POST
@link_rate_limited("privacy:erase", method="POST")
def erase(request, token):
    try:
        email = personal_data.email_from_data_token(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    if request.limited:
        return slow_down(request)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _data_page(request, token, email, form=form)
    comments, subscriptions = personal_data.erase(email, form.cleaned_data["mode"])
    return render(
        request,
        "privacy/erased.html",
        {
            "email": email,
            "comments": comments,
            "subscriptions": subscriptions,
            "removed": form.cleaned_data["mode"] == personal_data.Erasure.REMOVE,
        },
    )
