"""The pages where a writer changes or deletes their own comment (comments/own_comments.py).

Never cached: they depend on the writer's cookie, which only these pages receive.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from comments.forms import OwnCommentForm
from comments.models import Comment
from comments.notices import beside
from comments.own_comments import (
    NotEditable,
    check_edit_right,
    delete_own_comment,
    edit_own_comment,
    edit_url,
    editable_until,
    forget_edit_right,
    minutes_left,
)
from comments.rate_limits import counting_is_broken
from comments.screening import CommentRefused


def thanks_with_edit_link(comment):
    """The thank-you after posting, with the link to change the comment while one may."""
    minutes = minutes_left(comment)
    link = ngettext(
        "Edit or delete (%(minutes)s more minute)",
        "Edit or delete (%(minutes)s more minutes)",
        minutes,
    ) % {"minutes": minutes}
    return format_html(
        '{} <a class="message__action" href="{}">{}</a>',
        _("Thank you for your comment."),
        edit_url(comment.pk),
        link,
    )


def edit_rate(group, request):
    return settings.COMMENTS_POST_RATE


def _own_comment(comment_id):
    return get_object_or_404(Comment.objects.on_articles(), pk=comment_id)


def _render_edit(request, comment, form, *, status=200, notice=None, can_change=True):
    if not can_change:
        form.fields["comment"].widget.attrs["readonly"] = True
    context = {
        "comment": comment,
        "article": comment.content_object,
        "form": form,
        "notice": notice,
        "can_change": can_change,
        "editable_until": editable_until(comment),
    }
    return render(request, "discussion/edit.html", context, status=status)


def _refuse(request, comment, refusal):
    """403, with what the writer typed (if anything) kept to copy; never the stored text,
    which may be one a moderator took off the page."""
    form = OwnCommentForm(initial={"comment": request.POST.get("comment", "")})
    return _render_edit(
        request,
        comment,
        form,
        status=403,
        notice=refusal.message,
        can_change=False,
    )


def _limited(request):
    """The status and the words for a request over the rate limit, or for one the limit
    could not count (the cache down): then the writer is not to blame."""
    if counting_is_broken():
        return 503, _(
            "Because of a fault on our side, this cannot be done right now. Your text is "
            "kept: try again in a few minutes."
        )
    return 429, _(
        "You have tried to change your comment too often in a short time. Wait a minute "
        "and try again."
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="comments:edit", key="ip", rate=edit_rate, method="POST", block=False)
def edit(request, comment_id):
    """Change one's own comment shortly after posting it."""
    comment = _own_comment(comment_id)
    try:
        check_edit_right(request, comment)
    except NotEditable as refusal:
        return _refuse(request, comment, refusal)

    if request.method != "POST":
        return _render_edit(request, comment, OwnCommentForm(initial={"comment": comment.comment}))

    if request.limited:
        status, notice = _limited(request)
        form = OwnCommentForm(initial={"comment": request.POST.get("comment", "")})
        return _render_edit(request, comment, form, status=status, notice=notice)

    form = OwnCommentForm(request.POST)
    if not form.is_valid():
        return _render_edit(request, comment, form)
    try:
        edited = edit_own_comment(
            comment=comment,
            text=form.cleaned_data["comment"],
            rendered=form.rendered,
            ip_address=request.client_ip or None,
        )
    except CommentRefused as refusal:
        if refusal.field == "comment":
            form.add_error("comment", refusal.message)
            return _render_edit(request, comment, form)
        return _render_edit(request, comment, form, status=403, notice=refusal.message)
    except NotEditable as refusal:
        return _refuse(request, comment, refusal)

    if not edited.changed:
        messages.info(
            request,
            _("You did not change the text; your comment stays as it was."),
            extra_tags=beside(comment),
        )
        return redirect(comment.get_absolute_url())
    if edited.is_held:
        messages.info(
            request,
            _("Your changed comment will appear again once the editors have approved it."),
        )
        return redirect(f"{comment.content_object.get_absolute_url()}#reacties")
    messages.success(request, _("Your comment has been updated."), extra_tags=beside(comment))
    return redirect(comment.get_absolute_url())


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="comments:edit", key="ip", rate=edit_rate, method="POST", block=False)
def delete(request, comment_id):
    """Delete one's own comment, after a confirmation (a page of its own, without script)."""
    comment = _own_comment(comment_id)
    try:
        check_edit_right(request, comment)
    except NotEditable as refusal:
        return _refuse(request, comment, refusal)

    context = {"comment": comment, "article": comment.content_object}
    if request.method != "POST":
        return render(request, "discussion/edit_delete.html", context)
    if request.limited:
        status, context["notice"] = _limited(request)
        return render(request, "discussion/edit_delete.html", context, status=status)

    article = comment.content_object
    delete_own_comment(comment)
    messages.success(request, _("Your comment has been deleted."))
    response = redirect(f"{article.get_absolute_url()}#reacties")
    forget_edit_right(response, comment.pk)
    return response
