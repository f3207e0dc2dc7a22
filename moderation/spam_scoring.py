"""The spam filter in use, and the known-spam checks: both learn from the moderators' own
decisions, and nothing leaves the machine.

- `retrain()` (on the worker, after decisions: moderation/tasks.py) reads every decided
  comment, measures the filter on a held-out part of them, trains it on all of them and
  stores it as the one `SpamFilterState`; it also rebuilds the `CommentSign`s the
  known-spam check looks up.
- `hold_likely_spam` scores each new comment with the stored filter and holds it from
  `MODERATION_SPAM_THRESHOLD` on (reason "spam_score").
- `hold_known_spam` holds a comment whose e-mail address, IP address or link domain was
  seen in a comment marked as spam and never in an approved one (reason "known_spam"),
  as Antispam Bee does with its local spam database.

docs/spam-filter.md describes the filter itself and how it is used on the site.
"""

import ipaddress
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from comments.models import Comment, normalise_email
from moderation.models import CommentSign, Decision, Ground, SpamFilterState
from moderation.spam_filter import Example, SpamFilter, evaluate, tokens

logger = logging.getLogger(__name__)

# The held-out evaluation: a quarter of each class, always the same split for the same
# decisions, as docs/spam-filter.md measured it.
HOLDOUT_FRACTION = 0.25
HOLDOUT_SEED = 0
# A comment's links looked up at most (the form allows 3,000 characters).
MAX_LOOKED_UP_DOMAINS = 50
# Comments checked for still holding an address (a regular writer has many approved ones).
MAX_CHECKED_ADDRESS_SIGNS = 200


# --------------------------------------------------------------------------------------
# What the moderators decided
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecidedComment:
    """A comment the moderators labelled: approved and still shown (ham), or spam."""

    pk: int
    text: str
    name: str
    email: str
    url: str
    ip_address: str | None
    is_spam: bool

    def example(self):
        return Example(self.text, self.is_spam, name=self.name, email=self.email, url=self.url)


def spam_label(*, latest_action, latest_ground, is_spam, is_visible):
    """True for spam, False for ham, None for a comment that teaches nothing.

    The latest decision wins: approved and still shown is ham; marked as spam, or
    rejected on the ground of spam, is spam; a comment flagged as spam (also without a
    logged decision, or rejected later on another ground) stays spam.
    """
    if latest_action == Decision.Action.APPROVE and is_visible:
        return False
    if latest_action == Decision.Action.SPAM or latest_ground == Ground.SPAM or is_spam:
        return True
    return None


def decided_comments():
    """Every comment with a decision or flagged as spam, with its latest decision."""
    latest = Decision.objects.filter(comment=OuterRef("pk")).order_by("-created_at", "-pk")
    decided = Decision.objects.filter(comment__isnull=False).values("comment")
    return (
        Comment.objects.filter(Q(pk__in=decided) | Q(is_spam=True))
        .annotate(
            latest_action=Subquery(latest.values("action")[:1]),
            latest_ground=Subquery(latest.values("ground")[:1]),
        )
        .order_by("pk")
        .values(
            "pk",
            "comment",
            "user_name",
            "user_email",
            "user_url",
            "ip_address",
            "is_public",
            "is_removed",
            "is_spam",
            "latest_action",
            "latest_ground",
        )
    )


def labelled_comments():
    """The decided comments that are ham or spam, each once; an emptied text is left out."""
    labelled = []
    for row in decided_comments().iterator(chunk_size=2000):
        is_spam = spam_label(
            latest_action=row["latest_action"],
            latest_ground=row["latest_ground"],
            is_spam=row["is_spam"],
            is_visible=row["is_public"] and not row["is_removed"] and not row["is_spam"],
        )
        if is_spam is None or not row["comment"].strip():
            continue
        labelled.append(
            DecidedComment(
                pk=row["pk"],
                text=row["comment"],
                name=row["user_name"],
                email=row["user_email"],
                url=row["user_url"],
                ip_address=row["ip_address"],
                is_spam=is_spam,
            )
        )
    return labelled


def training_examples():
    return [comment.example() for comment in labelled_comments()]


# --------------------------------------------------------------------------------------
# Retraining
# --------------------------------------------------------------------------------------


def spam_threshold():
    return settings.MODERATION_SPAM_THRESHOLD


def retrain(*, now=None):
    """Measure the filter on a held-out part of the decisions, train it on all of them,
    store it, and rebuild the known-spam signs. Returns the stored SpamFilterState.

    With fewer than MIN_EXAMPLES_PER_CLASS decisions of either class the state is stored
    untrained, and the site scores no comment until there are enough.
    """
    labelled = labelled_comments()
    examples = [comment.example() for comment in labelled]
    spam_filter = SpamFilter.train(examples)
    state = SpamFilterState(
        pk=SpamFilterState.SINGLETON,
        trained_at=now or timezone.now(),
        ham_examples=spam_filter.ham_examples,
        spam_examples=spam_filter.spam_examples,
        threshold=spam_threshold(),
    )
    if spam_filter.is_ready:
        state.model = spam_filter.to_json()
        record_evaluation(state, examples)
    with transaction.atomic():
        replace_signs(labelled)
        state.save()
    remember_stamp(stamp_of(state.trained_at))
    return state


def record_evaluation(state, examples):
    """How a filter trained on the rest did on the held-out decisions."""
    evaluation = evaluate(
        examples, holdout_fraction=HOLDOUT_FRACTION, seed=HOLDOUT_SEED, threshold=state.threshold
    )
    state.held_out = evaluation.holdout_examples
    state.true_positives = evaluation.true_positives
    state.false_positives = evaluation.false_positives
    state.true_negatives = evaluation.true_negatives
    state.false_negatives = evaluation.false_negatives
    state.precision = evaluation.precision
    state.recall = evaluation.recall


# --------------------------------------------------------------------------------------
# The filter at posting
# --------------------------------------------------------------------------------------

# Which training the stored filter is, as its trained_at ("stamp"), is kept in Django's
# cache for a few seconds rather than asked from the database at every post: a query,
# however cheap for the database (a primary key on a one-row table), costs 0.2-0.5 ms of
# ORM work per post, a cache read about 10 us in memory or one round trip to Redis.
# retrain() writes the new stamp at once, so with a shared cache (Redis in production)
# every process uses the new filter from its next post on; with a cache per process
# (development), within STAMP_SECONDS. A cache that is down misses: the query is made.
STAMP_CACHE_KEY = "moderation:spam-filter-stamp"
STAMP_SECONDS = 5
NOT_TRAINED = "not trained"

# (stamp, SpamFilter or None) as this process last loaded them.
_loaded = (None, None)


def stamp_of(trained_at):
    return trained_at.isoformat(timespec="microseconds") if trained_at else NOT_TRAINED


def remember_stamp(stamp):
    cache.set(STAMP_CACHE_KEY, stamp, STAMP_SECONDS)


def stored_stamp():
    stamp = cache.get(STAMP_CACHE_KEY)
    if stamp is None:
        trained_at = (
            SpamFilterState.objects.filter(pk=SpamFilterState.SINGLETON)
            .values_list("trained_at", flat=True)
            .first()
        )
        stamp = stamp_of(trained_at)
        remember_stamp(stamp)
    return stamp


def current_filter():
    """The stored filter, loaded once per training; None while it is not trained."""
    global _loaded
    stamp = stored_stamp()
    if stamp == NOT_TRAINED:
        return None
    if _loaded[0] != stamp:
        _loaded = load_filter()
        remember_stamp(_loaded[0])  # the cache may have been a retraining behind
    return _loaded[1]


def load_filter():
    """(stamp, SpamFilter or None) as stored now."""
    row = (
        SpamFilterState.objects.filter(pk=SpamFilterState.SINGLETON)
        .values_list("trained_at", "model")
        .first()
    )
    trained_at, model = row or (None, None)
    if model is None:
        return (stamp_of(trained_at), None)
    try:
        return (stamp_of(trained_at), SpamFilter.from_json(model))
    except ValueError:
        logger.exception("The stored spam filter cannot be read; comments are not scored.")
        return (stamp_of(trained_at), None)


def is_staff(draft):
    return draft.user is not None and draft.user.is_staff


def hold_likely_spam(draft, screening):
    """Score the comment with the filter; hold it from the threshold on."""
    if is_staff(draft):
        return
    spam_filter = current_filter()
    if spam_filter is None:
        return
    score = spam_filter.spam_probability(
        draft.text, name=draft.name, email=draft.email, url=draft.url
    )
    if score is None:
        return
    screening.spam_score = score
    if score >= spam_threshold():
        screening.hold("spam_score", f"{score:.2f}")


# --------------------------------------------------------------------------------------
# Known spam: addresses and link domains of comments marked as spam
# --------------------------------------------------------------------------------------


def digest(value):
    """A keyed digest of an address: the sign table never holds the address itself."""
    return salted_hmac("moderation.CommentSign", value, algorithm="sha256").hexdigest()


def email_digest(email):
    """Of an address in one form (comments.models.normalise_email), as a Draft has it."""
    return digest(email)


def ip_digest(ip_address):
    try:
        return digest(str(ipaddress.ip_address(ip_address)))
    except ValueError:
        return digest(ip_address)


def own_domain():
    return (urlsplit(settings.SITE_URL).hostname or "").lower().removeprefix("www.")


def link_domains(text, url):
    """The domains a comment links to, in its text and its website field, read as the
    spam filter reads them (lower case, without "www."); the site's own is left out."""
    found = []
    own = own_domain()
    for token in tokens(text, url=url):
        if token.startswith("domain:"):
            domain = token.removeprefix("domain:")
            if domain and len(domain) <= 255 and domain != own and domain not in found:
                found.append(domain)
    return found[:MAX_LOOKED_UP_DOMAINS]


def signs_of(comment):
    """The CommentSigns of one labelled comment: its link domains, and its addresses."""
    found = [
        (CommentSign.Kind.LINK_DOMAIN, domain) for domain in link_domains(comment.text, comment.url)
    ]
    if comment.email:
        found.append((CommentSign.Kind.EMAIL, email_digest(normalise_email(comment.email))))
    if comment.ip_address:
        found.append((CommentSign.Kind.IP_ADDRESS, ip_digest(comment.ip_address)))
    return [
        CommentSign(comment_id=comment.pk, kind=kind, value=value, is_spam=comment.is_spam)
        for kind, value in found
    ]


def replace_signs(labelled):
    """The signs of every labelled comment, instead of those of the last retraining."""
    CommentSign.objects.all().delete()
    CommentSign.objects.bulk_create(
        (sign for comment in labelled for sign in signs_of(comment)), batch_size=1000
    )


def known_spam_signs(*, email, ip_address, domains):
    """The (kind, value) of these signs seen in spam and never in an approved comment.

    One query on the (kind, value) index; a second one only when an address was seen in
    spam, to check that the decided comments still hold it (see `still_held`).
    """
    wanted = {(CommentSign.Kind.LINK_DOMAIN, domain) for domain in domains}
    if email:
        wanted.add((CommentSign.Kind.EMAIL, email_digest(email)))
    if ip_address:
        wanted.add((CommentSign.Kind.IP_ADDRESS, ip_digest(ip_address)))
    if not wanted:
        return set()
    seen = CommentSign.objects.filter(
        kind__in={kind for kind, _value in wanted}, value__in={value for _kind, value in wanted}
    ).values_list("kind", "value", "is_spam", "comment_id", named=True)
    seen = still_held(
        [sign for sign in seen if (sign.kind, sign.value) in wanted], email, ip_address
    )
    in_spam = {(sign.kind, sign.value) for sign in seen if sign.is_spam}
    in_approved = {(sign.kind, sign.value) for sign in seen if not sign.is_spam}
    return in_spam - in_approved


def still_held(signs, email, ip_address):
    """The signs without the addresses their comment no longer holds: a writer's erased
    data, or an IP address forgotten after COMMENTS_IP_RETENTION_DAYS, matches nothing
    from then on (the next retraining drops the sign)."""
    addresses = sorted(
        (sign for sign in signs if sign.kind != CommentSign.Kind.LINK_DOMAIN),
        key=lambda sign: not sign.is_spam,
    )
    if not any(sign.is_spam for sign in addresses):
        return signs  # nothing to hold the comment on: no need to look
    holding = Comment.objects.filter(
        pk__in={sign.comment_id for sign in addresses[:MAX_CHECKED_ADDRESS_SIGNS]}
    ).values_list("pk", "user_email", "ip_address")
    held = set()
    for pk, comment_email, comment_ip_address in holding:
        if email and comment_email == email:
            held.add((CommentSign.Kind.EMAIL, pk))
        if ip_address and comment_ip_address == ip_address:
            held.add((CommentSign.Kind.IP_ADDRESS, pk))
    return [
        sign
        for sign in signs
        if sign.kind == CommentSign.Kind.LINK_DOMAIN or (sign.kind, sign.comment_id) in held
    ]


def known_spam_detail(matched):
    """What matched, for moderators, in the site's language (the queue is read in Dutch):
    "e-mailadres, linkdomein casino-bonus.example". The IP address itself is left out:
    not every moderator may see it."""
    kinds = {kind for kind, _value in matched}
    domains = sorted(value for kind, value in matched if kind == CommentSign.Kind.LINK_DOMAIN)
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            str(kind.label)
            for kind in (CommentSign.Kind.EMAIL, CommentSign.Kind.IP_ADDRESS)
            if kind in kinds
        ]
        parts += [f"{CommentSign.Kind.LINK_DOMAIN.label} {domain}" for domain in domains]
    return ", ".join(parts)


def hold_known_spam(draft, screening):
    """Hold a comment from an address, or linking to a domain, known from earlier spam."""
    if is_staff(draft):
        return
    matched = known_spam_signs(
        email=draft.email,
        ip_address=draft.ip_address,
        domains=link_domains(draft.text, draft.url),
    )
    if matched:
        screening.hold("known_spam", known_spam_detail(matched))
