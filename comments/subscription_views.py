"""Pages behind the links in subscription mails, and the "Volg deze discussie" form.

A GET only shows a page; every change is a POST from its button. The one-click
unsubscribe accepts a bare POST (RFC 8058) without cookie or CSRF token.
"""

import django_ratelimit as ratelimit
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
    SubscriptionGone,
    confirm_subscription,
    email_from_manage_token,
    manage_url,
    request_subscription,
    set_choices,
    subscription_from_confirm_token,
    subscription_from_unsubscribe_token,
    subscriptions_of,
    unsubscribe,
)


def _invalid_link(request, error):
    return render(
        request, "discussion/subscription/link_invalid.html", {"expired": error.expired}, status=400
    )


def link_rate_limited(request, group, method="POST"):
    """Counts this request against SUBSCRIPTION_LINK_RATE per address; True once over it."""
    return is_ratelimited(
        request,
        group=group,
        key="ip",
        rate=settings.SUBSCRIPTION_LINK_RATE,
        method=method,
        increment=True,
    )


def slow_down(request):
    return render(request, "discussion/subscription/slow_down.html", status=429)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, article_id):
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = FollowForm.for_request(request)
    if form.is_valid():
        request_subscription(email=form.cleaned_data["email"], article=article)
        return render(request, "discussion/subscription/requested.html", {"article": article})
    return render(
        request, "discussion/subscription/follow.html", {"article": article, "form": form}
    )


def act_on_link(
    request, token, *, load, act, limit_group, template, context=None, gone_template=None
):
    """A page behind a mail link: GET shows it, POST does `act`.

    `load` turns the token into a subscription or raises InvalidLink; `context`
    adds to the page's context given that subscription. Only links that do not
    work are rate-limited: a valid one-click unsubscribe must always succeed, also
    when a large mail provider sends many from one address after a newsletter.
    """
    try:
        subscription = load(token)
    except SubscriptionGone:
        if gone_template is None:
            return _invalid_link(request, InvalidLink())
        # Nothing is stored for the link any more, so no mail will come: say so.
        return render(request, gone_template)
    except InvalidLink as error:
        if link_rate_limited(request, limit_group, method=ratelimit.ALL):
            return slow_down(request)
        return _invalid_link(request, error)
    done = False
    if request.method == "POST":
        act(subscription)
        done = True
    extra = context(subscription) if context else {}
    return render(request, template, {"subscription": subscription, "done": done, **extra})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    return act_on_link(
        request,
        token,
        load=subscription_from_confirm_token,
        act=confirm_subscription,
        limit_group="subscriptions:confirm",
        template="discussion/subscription/confirm.html",
        context=lambda subscription: {"manage_url": manage_url(subscription.email)},
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
        set_choices(email, form.scopes(), form.language())
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
    return act_on_link(
        request,
        token,
        load=subscription_from_unsubscribe_token,
        act=unsubscribe,
        limit_group="subscriptions:unsubscribe",
        template="discussion/subscription/unsubscribe.html",
        gone_template="discussion/subscription/gone.html",
    )
