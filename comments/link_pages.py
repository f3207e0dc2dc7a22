"""The pages behind links in mails, shared by the discussion's, the newsletter's and the
privacy pages: a GET only shows a page, and a POST from its button acts.

Links that work are never refused; an address that sends many links that do not work
gets a page asking it to slow down (SUBSCRIPTION_LINK_RATE, counted per address).
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit

from comments.links import InvalidLink, SubscriptionGone


def link_rate(group, request):
    return settings.SUBSCRIPTION_LINK_RATE


def link_rate_limited(group, method=ALL):
    """Counts requests against SUBSCRIPTION_LINK_RATE per address; sets request.limited."""
    return ratelimit(group=group, key="ip", rate=link_rate, method=method, block=False)


def invalid_link(request, error, template="discussion/subscription/link_invalid.html"):
    return render(request, template, {"expired": error.expired}, status=400)


def slow_down(request):
    return render(request, "discussion/subscription/slow_down.html", status=429)


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
