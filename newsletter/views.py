"""The newsletter's sign-up page and the pages behind the links in its mails.

As for discussions, a GET only shows a page and every change is a POST from its
button; the one-click unsubscribe accepts a bare POST (RFC 8058).
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comments.forms import EmailCaptchaForm
from comments.link_pages import act_on_link, link_rate_limited
from comments.subscriptions import confirm_subscription, manage_url, unsubscribe
from newsletter.subscribers import (
    request_newsletter,
    subscription_from_confirm,
    subscription_from_unsubscribe,
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    form = EmailCaptchaForm.for_request(request)
    if form.is_valid():
        request_newsletter(form.cleaned_data["email"])
        return render(request, "newsletter/requested.html")
    return render(request, "newsletter/signup.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@link_rate_limited("subscriptions:confirm")
def confirm(request, token):
    return act_on_link(
        request,
        token,
        load=subscription_from_confirm,
        act=confirm_subscription,
        template="newsletter/confirm.html",
        context=lambda subscription: {"manage_url": manage_url(subscription.email)},
    )


@csrf_exempt  # RFC 8058 one-click: mail programs POST without cookies or tokens.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@link_rate_limited("subscriptions:unsubscribe")
def unsubscribe_view(request, token):
    return act_on_link(
        request,
        token,
        load=subscription_from_unsubscribe,
        act=unsubscribe,
        template="newsletter/unsubscribe.html",
        gone_template="discussion/subscription/gone.html",
    )
