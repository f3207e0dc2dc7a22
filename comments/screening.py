"""What a new comment meets before it is stored: the checks other apps register.

Moderation rules (bans, words, links, pre-moderation, the spam filter) live in the
moderation app, which registers them here in its AppConfig.ready(): posting a comment
runs every registered check without knowing what they are.

A check looks at a `Draft` and adds the reasons to hold it to the `Screening`, or raises
`CommentRefused` with a message for the writer, in their language.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Draft:
    article: object
    parent: object
    name: str
    email: str  # normalised (comments.models.normalise_email)
    url: str
    text: str
    html: str
    ip_address: str | None
    user: object = None


@dataclass(frozen=True)
class HoldReason:
    """Why a comment waits for a moderator: a code, and the detail moderators read."""

    code: str
    detail: str = ""

    def as_json(self):
        return {"code": self.code, "detail": self.detail}


class CommentRefused(Exception):  # noqa: N818 - reads as what happened
    """The comment is not taken; `message` tells the writer why and what to do.

    `field` names the form field to change (the text for a banned word), or None.
    """

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Screening:
    """What the checks found: reasons to hold the comment, and its spam score if scored."""

    hold_reasons: list = field(default_factory=list)
    spam_score: float | None = None
    # What one check worked out that another can reuse (e.g. whether the writer is trusted).
    facts: dict = field(default_factory=dict)

    def hold(self, code, detail=""):
        self.hold_reasons.append(HoldReason(code, detail))

    @property
    def holds(self):
        return bool(self.hold_reasons)


_checks = []


def register_check(check):
    """`check(draft, screening)` adds reasons to hold (screening.hold) or raises
    CommentRefused; checks run in the order they were registered."""
    if check not in _checks:
        _checks.append(check)
    return check


def screen(draft):
    """Every registered check on one draft. Raises CommentRefused."""
    screening = Screening()
    for check in _checks:
        check(draft, screening)
    return screening
