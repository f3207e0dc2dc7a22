"""Pages behind the links in subscription mails, and the "Volg deze discussie" form.

A GET only shows a page; every change is a POST from its button. The one-click
unsubscribe accepts a bare POST (RFC 8058) without cookie or CSRF token.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit

from articles.models import Article
from comments import links
from comments.forms import EmailCaptchaForm, ScopeForm
from comments.links import InvalidLink, SubscriptionGone
from comments.subscriptions import (
    confirm_subscription,
    manage_url,
    manageable_subscriptions,
    request_subscription,
    set_choices,
    subscription_from_token,
    unsubscribe,
)


def link_rate(group, request):
    return settings.SUBSCRIPTION_LINK_RATE


def limited_per_address(group, method=ALL):
    """Counts requests against SUBSCRIPTION_LINK_RATE per address; sets request.limited."""
    return ratelimit(group=group, key="ip", rate=link_rate, method=method, block=False)


def invalid_link(request, error, template="discussion/subscription/link_invalid.html"):
    return render(request, template, {"expired": error.expired}, status=400)


def slow_down(request):
    return render(request, "discussion/subscription/slow_down.html", status=429)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, article_id):
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = EmailCaptchaForm.for_request(request)
    if form.is_valid():
        request_subscription(email=form.cleaned_data["email"], article=article)
        return render(request, "discussion/subscription/requested.html", {"article": article})
    return render(
        request, "discussion/subscription/follow.html", {"article": article, "form": form}
    )


def act_on_link(request, token, *, load, act, template, context=None, gone_template=None):
    """A page behind a mail link: GET shows it, POST does `act`.

    `load` turns the token into a subscription or raises InvalidLink; `context`
    adds to the page's context given that subscription. Only links that do not
    work are refused when the address is over its limit (`request.limited`): a valid
    one-click unsubscribe must always succeed, also when a large mail provider sends
    many from one address after a newsletter.
    """
    try:
        subscription = load(token)
    except SubscriptionGone:
        if gone_template is None:
            return invalid_link(request, InvalidLink())
        # Nothing is stored for the link any more, so no mail will come: say so.
        return render(request, gone_template)
    except InvalidLink as error:
        if request.limited:
            return slow_down(request)
        return invalid_link(request, error)
    done = False
    if request.method == "POST":
        act(subscription)
        done = True
    extra = context(subscription) if context else {}
    return render(request, template, {"subscription": subscription, "done": done, **extra})


def _discussion_only(purpose):
    def load(token):
        subscription = subscription_from_token(purpose, token)
        if subscription.is_newsletter:
            raise InvalidLink()
        return subscription

    return load


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited_per_address("subscriptions:confirm")
def confirm(request, token):
    return act_on_link(
        request,
        token,
        load=_discussion_only(links.CONFIRM),
        act=confirm_subscription,
        template="discussion/subscription/confirm.html",
        context=lambda subscription: {"manage_url": manage_url(subscription.email)},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    try:
        email = links.email_from_token(links.MANAGE, token)
    except InvalidLink as error:
        return invalid_link(request, error)
    form = ScopeForm(request.POST or None, subscriptions=manageable_subscriptions(email))
    saved = False
    if request.method == "POST" and form.is_valid():
        set_choices(email, form.scopes(), form.language())
        form = ScopeForm(subscriptions=manageable_subscriptions(email))
        saved = True
    return render(
        request,
        "discussion/subscription/manage.html",
        {"email": email, "form": form, "saved": saved},
    )


@csrf_exempt  # RFC 8058 one-click: mail programs POST without cookies or tokens.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited_per_address("subscriptions:unsubscribe")
def unsubscribe_view(request, token):
    return act_on_link(
        request,
        token,
        load=_discussion_only(links.UNSUBSCRIBE),
        act=unsubscribe,
        template="discussion/subscription/unsubscribe.html",
        gone_template="discussion/subscription/gone.html",
    )
