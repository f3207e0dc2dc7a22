from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from articles.models import Article
from comments.forms import REFRESH_CAPTCHA, CommentForm, read_form_token
from comments.models import Comment
from comments.notices import beside
from comments.own_comment_views import thanks_with_edit_link
from comments.own_comments import grant_edit_right
from comments.posting import comments_are_open, post_comment
from comments.rate_limits import counting_is_broken
from comments.reader_cookie import read_reader_cookie, write_reader_cookie
from comments.screening import CommentRefused


def _render_form(request, article, form, *, status=200, notice=None):
    template = (
        "discussion/form.html" if request.GET.get("fragment") else "discussion/form_page.html"
    )
    context = {"article": article, "form": form, "notice": notice}
    return render(request, template, context, status=status)


def post_rate(group, request):
    """COMMENTS_POST_RATE for a comment sent; a new captcha code (without JavaScript the
    form is posted back for one) is not counted, so no reader is refused for asking."""
    if REFRESH_CAPTCHA in request.POST:
        return None
    return settings.COMMENTS_POST_RATE


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="comments:post", key="ip", rate=post_rate, method="POST", block=False)
def comment_form(request, article_id):
    """The comment form: fetched by the article page's script, or a page of its own."""
    article = get_object_or_404(Article.objects.visible_to(request.user), pk=article_id)
    if not comments_are_open(article):
        return render(request, "discussion/closed.html", {"article": article}, status=403)

    if request.method != "POST":
        initial = {"parent": request.GET.get("op"), **read_reader_cookie(request)}
        return _render_form(request, article, CommentForm(article=article, initial=initial))

    if REFRESH_CAPTCHA in request.POST:
        return _render_form(request, article, CommentForm(article=article, initial=request.POST))

    token = read_form_token(request.POST.get("form_token"), article)
    if token is not None:
        already = Comment.objects.filter(submission_key=token["k"]).first()
        if already is not None:
            messages.info(
                request, _("Your comment had already been posted."), extra_tags=beside(already)
            )
            return redirect(already.get_absolute_url())

    if request.limited:
        form = CommentForm(article=article, initial=request.POST)
        if counting_is_broken():
            notice = _(
                "Because of a fault on our side, comments cannot be posted right now. Your "
                "text is kept below: try again in a few minutes."
            )
            return _render_form(request, article, form, status=503, notice=notice)
        notice = _("You have tried to post too often in a short time. Wait a minute and try again.")
        return _render_form(request, article, form, status=429, notice=notice)

    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        return _render_form(request, article, form)

    data = form.cleaned_data
    try:
        posted = post_comment(
            article=article,
            parent=form.parent_comment,
            name=data["name"],
            email=data["email"],
            url=data["url"],
            text=data["comment"],
            rendered=form.rendered,
            followup=data["followup"],
            submission_key=form.token["k"],
            user=request.user,
            ip_address=request.client_ip or None,
            language=request.LANGUAGE_CODE,
        )
    except CommentRefused as refusal:
        # The form comes back with everything the writer typed, and why it was refused.
        if refusal.field is not None:
            form.add_error(refusal.field, refusal.message)
            return _render_form(request, article, form)
        return _render_form(request, article, form, status=403, notice=refusal.message)
    if not posted.created:
        messages.info(
            request, _("Your comment had already been posted."), extra_tags=beside(posted.comment)
        )
        target = posted.comment.get_absolute_url() if posted.comment.is_visible else None
        response = redirect(target or f"{article.get_absolute_url()}#reacties")
    elif posted.is_held:
        messages.info(
            request, _("Thank you! Your comment will appear once the editors have approved it.")
        )
        response = redirect(f"{article.get_absolute_url()}#reacties")
    else:
        messages.success(
            request, thanks_with_edit_link(posted.comment), extra_tags=beside(posted.comment)
        )
        response = redirect(posted.comment.get_absolute_url())
        grant_edit_right(response, posted.comment)
    write_reader_cookie(request, response, data if data["remember"] else None)
    return response
