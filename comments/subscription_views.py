"""Pages behind the links in subscription mails, and the "Volg deze discussie" form.

A GET only shows a page; every change is a POST from its button. The one-click
unsubscribe accepts a bare POST (RFC 8058) without cookie or CSRF token.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from articles.models import Article
from comments.forms import FollowForm, ScopeForm
from comments.subscriptions import (
    InvalidLink,
    confirm_subscription,
    email_from_manage_token,
    manage_url,
    request_subscription,
    set_scopes,
    subscription_from_confirm_token,
    subscription_from_unsubscribe_token,
    subscriptions_of,
    unsubscribe,
)


def _invalid_link(request, error):
    return render(
        request, "discussion/subscription/link_invalid.html", {"expired": error.expired}, status=400
    )


def _limited(request, group):
    return is_ratelimited(
        request,
        group=group,
        key="ip",
        rate=settings.SUBSCRIPTION_LINK_RATE,
        method="POST",
        increment=True,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, article_id):
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request_subscription(email=form.cleaned_data["email"], article=article)
        return render(request, "discussion/subscription/requested.html", {"article": article})
    return render(
        request, "discussion/subscription/follow.html", {"article": article, "form": form}
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        subscription = subscription_from_confirm_token(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    done = False
    if request.method == "POST":
        if _limited(request, "subscriptions:confirm"):
            return render(request, "discussion/subscription/slow_down.html", status=429)
        confirm_subscription(subscription)
        done = True
    return render(
        request,
        "discussion/subscription/confirm.html",
        {
            "subscription": subscription,
            "done": done,
            "manage_url": manage_url(subscription.email),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    try:
        email = email_from_manage_token(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    form = ScopeForm(request.POST or None, subscriptions=subscriptions_of(email))
    saved = False
    if request.method == "POST" and form.is_valid():
        set_scopes(email, form.scopes())
        form = ScopeForm(subscriptions=subscriptions_of(email))
        saved = True
    return render(
        request,
        "discussion/subscription/manage.html",
        {"email": email, "form": form, "saved": saved},
    )


@csrf_exempt  # RFC 8058 one-click: mail programs POST without cookies or tokens.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token):
    try:
        subscription = subscription_from_unsubscribe_token(token)
    except InvalidLink as error:
        return _invalid_link(request, error)
    done = False
    if request.method == "POST":
        if _limited(request, "subscriptions:unsubscribe"):
            return render(request, "discussion/subscription/slow_down.html", status=429)
        unsubscribe(subscription)
        done = True
    return render(
        request,
        "discussion/subscription/unsubscribe.html",
        {"subscription": subscription, "done": done, "token": token},
    )
