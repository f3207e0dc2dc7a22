"""Pages behind the links in subscription mails, and the "Volg deze discussie" form.

A GET only shows a page; every change is a POST from its button. The one-click
unsubscribe accepts a bare POST (RFC 8058) without cookie or CSRF token.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Article
from comments import links
from comments.forms import EmailCaptchaForm, ScopeForm
from comments.link_pages import act_on_link, invalid_link, link_rate_limited
from comments.links import InvalidLink, subscription_from_token
from comments.subscriptions import (
    confirm_subscription,
    manage_url,
    manageable_subscriptions,
    request_subscription,
    set_choices,
    unsubscribe,
)


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


def _discussion_only(purpose):
    def load(token):
        subscription = subscription_from_token(purpose, token)
        if subscription.is_newsletter:
            raise InvalidLink()
        return subscription

    return load


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@link_rate_limited("subscriptions:confirm")
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
@link_rate_limited("subscriptions:unsubscribe")
def unsubscribe_view(request, token):
    return act_on_link(
        request,
        token,
        load=_discussion_only(links.UNSUBSCRIBE),
        act=unsubscribe,
        template="discussion/subscription/unsubscribe.html",
        gone_template="discussion/subscription/gone.html",
    )
