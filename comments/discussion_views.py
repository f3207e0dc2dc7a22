"""Reading a big discussion: permalinks, a thread's own page, recommending a comment and
the small endpoints the page's script asks whether the discussion has grown."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from articles.models import Article
from articles.page_cache import (
    cache_page_for_anonymous_readers,
    depends_on,
    discussion_version_key,
    recommendations_version_key,
)
from comments.discussion_pages import (
    comment_location,
    discussion_summary,
    flat_page,
    load_thread,
    render_discussion_html,
)
from comments.models import Comment
from comments.notices import beside, notices_beside_comments
from comments.rate_limits import counting_is_broken
from comments.recommendations import (
    NotRecommended,
    new_reader_token,
    reader_token,
    recommend,
    write_reader_cookie,
)

# How long the "has the discussion grown?" answers may be kept by any cache.
STATE_MAX_AGE = 5
FRESH_COMMENTS_SHOWN = 50


def _article_of(comment, user):
    return get_object_or_404(Article.objects.visible_to(user), pk=int(comment.object_pk))


@require_safe
def comment_permalink(request, comment_id):
    """A comment's lasting address: on to the page that shows it now, at the comment."""
    comment = get_object_or_404(Comment.objects.on_articles(), pk=comment_id)
    article = _article_of(comment, request.user)
    if not comment.is_visible:
        return redirect(f"{article.get_absolute_url()}#reacties")
    return redirect(comment_location(comment, article))


def _depends_on_discussion(request, article):
    depends_on(request, discussion_version_key(article.pk))
    depends_on(
        request,
        recommendations_version_key(article.pk),
        lag=settings.COMMENTS_RECOMMENDATIONS_LAG_SECONDS,
    )


@require_safe
@cache_page_for_anonymous_readers
def thread(request, article_id, thread_id):
    """One thread with all its replies: where "Show N more replies" leads without
    JavaScript; with ?fragment=1 only the thread, which the script puts in its place."""
    article = get_object_or_404(Article.objects.visible_to(request.user), pk=article_id)
    _depends_on_discussion(request, article)
    page = load_thread(article, thread_id, replies=_replies_asked(request))
    if page is None:
        raise Http404
    root = page.comments[0]
    context = {
        "article": article,
        "root": root,
        "threads_html": render_discussion_html(
            article, page, notices=notices_beside_comments(messages.get_messages(request))
        ),
        "shows_notices_beside_comments": True,
    }
    if request.GET.get("fragment"):
        return render(request, "discussion/thread_fragment.html", context)
    context["back_url"] = (
        comment_location(root, article)
        if root.is_visible
        else (f"{article.get_absolute_url()}#reacties")
    )
    return render(request, "discussion/thread_page.html", context)


def _number_in(parameters, name, *, digits):
    """A parameter of at most `digits` ASCII digits as a number, else None (junk, an
    absurd size or a Unicode digit are no request for anything)."""
    value = parameters.get(name, "")
    if value.isascii() and value.isdigit() and len(value) <= digits:
        return int(value)
    return None


def _replies_asked(request):
    """?tot=<n>: how many replies the thread's page shows (more than its first slice)."""
    return _number_in(request.GET, "tot", digits=6)


def recommend_rate(group, request):
    return settings.COMMENTS_RECOMMEND_RATE


def is_same_origin(request):
    """Sent from one of our own pages. Cached pages carry no CSRF token, so the browser's
    word on where the request comes from stands in for it."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from:
        return fetched_from in ("same-origin", "none")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    return bool(origin) and urlsplit(origin).netloc == request.get_host()


@csrf_exempt  # checked by is_same_origin() instead
@require_POST
@ratelimit(group="comments:recommend", key="ip", rate=recommend_rate, method="POST", block=False)
def recommend_comment(request):
    """ "Waardevol" for the comment in the field "reactie" (the page's one form: each
    button sends its comment's id): counted once per reader; answers the script with
    JSON, a plain form with the comment again and a message beside it."""
    comment_id = _number_in(request.POST, "reactie", digits=12)
    comment = get_object_or_404(Comment.objects.on_articles(), pk=comment_id or 0)
    _article_of(comment, request.user)
    wants_json = "application/json" in request.headers.get("Accept", "")
    token = reader_token(request) or new_reader_token()
    status, count = 200, comment.recommend_count
    if not is_same_origin(request):
        status, message = 403, _("Your recommendation could not be checked. Try again.")
    elif request.limited and counting_is_broken():
        status, message = (
            503,
            _(
                "Because of a fault on our side, this cannot be done right now. Try again in a "
                "few minutes."
            ),
        )
    elif request.limited:
        status, message = 429, _("You have recommended many comments in a short time. Try later.")
    else:
        try:
            count = recommend(comment, token=token, ip_address=request.client_ip or None)
            message = _("Thank you: you find this comment valuable.")
        except NotRecommended as refusal:
            status, message = 409, str(refusal)
    if wants_json:
        response = JsonResponse(
            {"count": count, "recommended": status == 200, "message": message}, status=status
        )
    else:
        level = messages.SUCCESS if status == 200 else messages.ERROR
        messages.add_message(request, level, message, extra_tags=beside(comment))
        response = redirect(comment.get_absolute_url())
    if status == 200:
        write_reader_cookie(response, token, path=reverse("comments:recommend"))
    return response


def _published_article(article_id):
    return get_object_or_404(Article.objects.published(), pk=article_id)


@require_safe
def discussion_state(request, article_id):
    """How many comments the discussion shows and its newest one's id: the same for every
    reader, so any cache may keep it for a few seconds."""
    summary = discussion_summary(_published_article(article_id))
    state = {"count": summary.count, "latest": summary.latest_id}
    response = JsonResponse(state)
    patch_cache_control(response, public=True, max_age=STATE_MAX_AGE)
    return response


@require_safe
@cache_page_for_anonymous_readers
def fresh_comments(request, article_id):
    """The comments posted after ?na=<id>, as a flat list that says whom each answers."""
    article = _published_article(article_id)
    _depends_on_discussion(request, article)
    after = _number_in(request.GET, "na", digits=11) or 0
    page = flat_page(
        Comment.objects.for_article(article)
        .visible()
        .filter(pk__gt=after)
        .order_by("pk")[:FRESH_COMMENTS_SHOWN]
    )
    html = render_discussion_html(article, page)
    return render(request, "discussion/fresh_comments.html", {"threads_html": html})
