"""A writer changes or deletes their own comment, for a short time after posting it.

Readers have no accounts: the right comes with the response to the post only, as a
signed cookie bound to that comment (`reactie_<id>`, HttpOnly, SameSite=Lax, its path
the comment's edit page, so it is never sent with the article page, which stays one
cached page for every reader). It ends by itself after COMMENTS_EDIT_MINUTES: the
cookie's max-age, its signature's age and the comment's posting time all say so, and
the server checks the last two on every request.

An edit is sanitised and screened again as a new comment is (comments/screening.py):
a refused word sends it back, a reason to hold it takes it off the page until a
moderator approves it. It is marked "edited" and notifies nobody again (the
subscribers heard of the comment once, comments/notifications.py). A deleted comment
with replies stays as the removed comment's placeholder, as a moderator's deletion
leaves it (comments.moderation.delete_comments).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.models import Comment
from comments.moderation import delete_comments
from comments.posting import comments_are_open
from comments.rendering import render_comment
from comments.screening import Draft, screen

logger = logging.getLogger(__name__)

EDIT_RIGHT_SALT = "comments.own-comment"

# Sent (with `comment`) inside the edit's transaction when a check held the edited comment:
# the moderation app alerts its moderators, as it does for a comment held at posting.
held_after_edit = Signal()


class NotEditable(Exception):  # noqa: N818 - reads as what the comment is
    """The writer may not change this comment (any more); `message` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class EditedComment:
    comment: Comment
    changed: bool

    @property
    def is_held(self):
        return not self.comment.is_public


def edit_window():
    return timezone.timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)


def editable_until(comment):
    return comment.submit_date + edit_window()


def minutes_left(comment, now=None):
    """Whole minutes left to change the comment, rounded up (0 when the time is over)."""
    seconds = (editable_until(comment) - (now or timezone.now())).total_seconds()
    return max(0, -int(-seconds // 60))


def edit_right_cookie_name(comment_id, language=None):
    """One cookie per language, each sent only to that language's edit page (Dutch at
    /reacties/bewerken/<id>/, English under /en/), so switching language keeps the right."""
    if language is None or language == settings.LANGUAGE_CODE:
        return f"reactie_{comment_id}"
    return f"reactie_{comment_id}_{language}"


def edit_url(comment_id):
    return reverse("comments:edit", args=[comment_id])


def _edit_right_cookies(comment_id):
    """(name, path) of the right's cookie for each language's edit page."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            yield edit_right_cookie_name(comment_id, language), edit_url(comment_id)


def grant_edit_right(response, comment):
    """The posting response hands its writer the right to change this comment."""
    seconds = int((editable_until(comment) - timezone.now()).total_seconds())
    if seconds <= 0:
        return
    token = signing.dumps({"c": comment.pk}, salt=EDIT_RIGHT_SALT)
    for name, path in _edit_right_cookies(comment.pk):
        response.set_cookie(
            name,
            token,
            max_age=seconds,
            path=path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def forget_edit_right(response, comment_id):
    for name, path in _edit_right_cookies(comment_id):
        response.delete_cookie(name, path=path, samesite="Lax")


def _is_right_for(token, comment):
    try:
        payload = signing.loads(token, salt=EDIT_RIGHT_SALT, max_age=edit_window().total_seconds())
    except signing.BadSignature:
        return False
    return isinstance(payload, dict) and payload.get("c") == comment.pk


def holds_edit_right(request, comment):
    """Whether the request carries this comment's own, unexpired, untampered right."""
    return any(
        _is_right_for(request.COOKIES[name], comment)
        for name, _path in _edit_right_cookies(comment.pk)
        if name in request.COOKIES
    )


def check_edit_right(request, comment, *, now=None):
    """Raise NotEditable unless the request may change or delete the comment now."""
    if (now or timezone.now()) >= editable_until(comment):
        minutes = settings.COMMENTS_EDIT_MINUTES
        raise NotEditable(
            ngettext(
                "The time to change this comment has passed: a comment can be changed or "
                "deleted up to %(minutes)s minute after posting it.",
                "The time to change this comment has passed: a comment can be changed or "
                "deleted up to %(minutes)s minutes after posting it.",
                minutes,
            )
            % {"minutes": minutes}
        )
    if not holds_edit_right(request, comment):
        raise NotEditable(
            _(
                "You cannot change this comment: only its writer can, in the same browser, "
                "shortly after posting it."
            )
        )
    check_still_shown(comment)


def check_still_shown(comment):
    # A comment a moderator removed or holds is theirs to decide on, not its writer's.
    if not comment.is_visible:
        raise NotEditable(
            _(
                "This comment can no longer be changed: the moderators have taken it off the "
                "page or are reviewing it."
            )
        )


def edit_own_comment(*, comment, text, rendered=None, ip_address=None):
    """Give a comment its writer's new text: sanitised, screened, marked as edited.

    Raises CommentRefused when a check refuses the new text (nothing changes) and
    NotEditable when a moderator took the comment off the page meanwhile.
    """
    if text == comment.comment:
        return EditedComment(comment, changed=False)
    if rendered is None or rendered.text != text:
        rendered = render_comment(text)
    article = comment.content_object
    if not comments_are_open(article):
        raise NotEditable(_("Comments are closed for this article."))
    is_reply = comment.parent_id and comment.parent_id != comment.pk
    screening = screen(
        Draft(
            article=article,
            parent=Comment.objects.filter(pk=comment.parent_id).first() if is_reply else None,
            name=comment.user_name,
            email=comment.user_email,
            url=comment.user_url,
            text=text,
            html=rendered.html,
            ip_address=ip_address,
            user=comment.user if comment.user_id else None,
        )
    )  # raises CommentRefused
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        check_still_shown(comment)
        comment.set_text(rendered)
        comment.edited_at = timezone.now()
        changed = ["comment", "comment_html", "edited_at"]
        if screening.holds:
            comment.is_public = False
            comment.hold_reasons = [reason.as_json() for reason in screening.hold_reasons]
            changed += ["is_public", "hold_reasons"]
        if screening.spam_score is not None:
            comment.spam_score = screening.spam_score
            changed.append("spam_score")
        # Saving invalidates the article's cached pages (comments.apps); nothing here
        # queues a notification: the subscribers were told of this comment once.
        comment.save(update_fields=changed)
        if screening.holds:
            held_after_edit.send(sender=Comment, comment=comment)
    logger.info(
        "Comment %s was edited by its writer%s",
        comment.pk,
        " and is held for moderation" if screening.holds else "",
    )
    return EditedComment(comment, changed=True)


def delete_own_comment(comment):
    """Delete a comment at its writer's request; with replies it stays as a placeholder."""
    deleted, kept = delete_comments(Comment.objects.filter(pk=comment.pk))
    logger.info(
        "Comment %s was deleted by its writer%s",
        comment.pk,
        " (kept as a placeholder for its replies)" if kept else "",
    )
