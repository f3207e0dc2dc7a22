"""The newsletter's sign-up page and the pages behind the links in its mails.

As for discussions, a GET only shows a page and every change is a POST from its
button; the one-click unsubscribe accepts a bare POST (RFC 8058).
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comments.forms import FollowForm
from comments.newsletter import (
    request_newsletter,
    subscription_from_confirm,
    subscription_from_unsubscribe,
)
from comments.subscription_views import _invalid_link, _limited
from comments.subscriptions import InvalidLink, confirm_subscription, unsubscribe


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request_newsletter(form.cleaned_data["email"])
        return render(request, "newsletter/requested.html")
    return render(request, "newsletter.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        subscription = subscription_from_confirm(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    done = False
    if request.method == "POST":
        if _limited(request, "subscriptions:confirm"):
            return render(request, "discussion/subscription/slow_down.html", status=429)
        confirm_subscription(subscription)
        done = True
    return render(request, "newsletter/confirm.html", {"subscription": subscription, "done": done})


@csrf_exempt  # RFC 8058 one-click: mail programs POST without cookies or tokens.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token):
    try:
        subscription = subscription_from_unsubscribe(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    done = False
    if request.method == "POST":
        if _limited(request, "subscriptions:unsubscribe"):
            return render(request, "discussion/subscription/slow_down.html", status=429)
        unsubscribe(subscription)
        done = True
    return render(
        request, "newsletter/unsubscribe.html", {"subscription": subscription, "done": done}
    )
