"""The rules a new comment meets at posting (registered with comments.screening).

In order: a block on the writer's address refuses it, a refused word refuses it (the
writer is told which, and keeps the text), then suspect words, too many links and
moderation before publication hold it for a moderator.
"""

import re
import unicodedata

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from articles.models import Article
from comments.models import Comment
from comments.rendering import count_links
from comments.screening import CommentRefused
from moderation.models import Ban, Decision, WordRule

# Approved comments after which an address is trusted (as Coral and Antispam Bee do).
TRUSTED_AFTER_APPROVALS = 2


def folded(text):
    """Text as word rules compare it: lower case, accents and look-alike forms removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def word_pattern(word):
    word = folded(word.strip())
    prefix = word.endswith("*")
    core = re.escape(word.rstrip("*").strip())
    tail = r"\w*" if prefix else ""
    return re.compile(rf"(?<!\w){core}{tail}(?!\w)")


def first_match(words, text):
    haystack = folded(text)
    for word in words:
        if word.strip("* ") and word_pattern(word).search(haystack):
            return word
    return None


def is_trusted(email):
    """Two of the address's comments were approved by a moderator and are still shown."""
    if not email:
        return False
    approved = (
        Comment.objects.by_address(email)
        .visible()
        .filter(decisions__action=Decision.Action.APPROVE)
        .values("pk")
        .distinct()
    )
    return approved[:TRUSTED_AFTER_APPROVALS].count() >= TRUSTED_AFTER_APPROVALS


def _is_staff(draft):
    return draft.user is not None and draft.user.is_staff


def refuse_blocked_writers(draft, screening):
    bans = Ban.objects.matching(email=draft.email, ip_address=draft.ip_address)
    if not bans:
        return
    longest = bans[-1]
    if longest.ends_at is None:
        message = _(
            "You cannot post comments on this site. Your text is kept below, so that nothing "
            "is lost; if you think this is a mistake, write to the editors."
        )
    else:
        until = formats.date_format(longest.ends_at, "DATETIME_FORMAT", use_l10n=True)
        message = _(
            "You cannot post comments until %(until)s. Your text is kept below, so that you "
            "can post it then."
        ) % {"until": until}
    raise CommentRefused(message)


def word_rules(screening):
    """The site's word rules, read once per comment: {effect: [words]}."""
    if "word_rules" not in screening.facts:
        rules = {WordRule.Effect.REFUSE: [], WordRule.Effect.HOLD: []}
        for word, effect in WordRule.objects.values_list("word", "effect"):
            rules[effect].append(word)
        screening.facts["word_rules"] = rules
    return screening.facts["word_rules"]


def trusted(draft, screening):
    """is_trusted(), worked out once per comment however many checks ask."""
    if "trusted" not in screening.facts:
        screening.facts["trusted"] = is_trusted(draft.email)
    return screening.facts["trusted"]


def refuse_banned_words(draft, screening):
    words = word_rules(screening)[WordRule.Effect.REFUSE]
    for field, text in (("comment", draft.text), ("name", draft.name), ("url", draft.url)):
        word = first_match(words, text)
        if word is not None:
            raise CommentRefused(
                _(
                    "“%(word)s” is not allowed in comments on this site. Change your text and "
                    "post it again."
                )
                % {"word": word.rstrip("*").strip()},
                field=field,
            )


def hold_suspect_words(draft, screening):
    words = [*word_rules(screening)[WordRule.Effect.HOLD], *settings.COMMENTS_BLOCKED_WORDS]
    word = first_match(words, " ".join([draft.text, draft.name, draft.url]))
    if word is not None:
        screening.hold("suspect_word", word)


def hold_many_links(draft, screening):
    links = count_links(draft.html)
    if (
        links > settings.COMMENTS_MAX_LINKS
        and not _is_staff(draft)
        and not trusted(draft, screening)
    ):
        screening.hold("links", str(links))


def hold_before_publication(draft, screening):
    mode = draft.article.comment_moderation
    if _is_staff(draft) or mode == Article.CommentModeration.NOBODY:
        return
    if mode == Article.CommentModeration.EVERYBODY:
        screening.hold("premoderation")
    elif not trusted(draft, screening):
        screening.hold("new_commenter")


CHECKS = [
    refuse_blocked_writers,
    refuse_banned_words,
    hold_suspect_words,
    hold_many_links,
    hold_before_publication,
]
