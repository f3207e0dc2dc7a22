import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, normalise_email


class Ground(models.TextChoices):
    """Why a comment is reported or rejected: the grounds readers and writers are told."""

    SPAM = "spam", _("spam or advertising")
    OFFENSIVE = "offensive", _("offensive or hateful")
    PERSONAL_DATA = "personal_data", _("personal data of someone else")
    MISLEADING = "misleading", _("misleading")
    ILLEGAL = "illegal", _("illegal content")
    OFF_TOPIC = "off_topic", _("off topic or not a contribution to the discussion")


class QueuedComment(Comment):
    """The comments as moderators see them in the queue (the admin's "Moderation" screen)."""

    class Meta:
        proxy = True
        verbose_name = _("moderation queue")
        verbose_name_plural = _("moderation queue")


class Decision(models.Model):
    """One moderator's action on one comment, kept as the moderation log."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("approved")
        REJECT = "reject", _("rejected")
        SPAM = "spam", _("marked as spam")
        BAN = "ban", _("rejected, writer blocked")

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="decisions",
    )
    # What the comment said and who wrote it, for the log once the comment is deleted.
    comment_summary = models.CharField(_("comment"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action)
    ground = models.CharField(_("ground"), max_length=20, choices=Ground, blank=True)
    note = models.TextField(_("note"), blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="moderation_decisions",
    )
    moderator_name = models.CharField(_("moderator"), max_length=150)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["comment", "action"])]

    def __str__(self):
        return f"{self.moderator_name}: {self.get_action_display()} — {self.comment_summary}"


class BanQuerySet(models.QuerySet):
    def in_force(self, now=None):
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )

    def matching(self, *, email, ip_address):
        """The bans in force on this address or IP address, the longest first."""
        candidates = self.in_force().filter(Q(email=email) if email else Q(pk__in=[]))
        if ip_address:
            candidates = candidates | self.in_force().exclude(ip_network="")
        bans = [
            ban
            for ban in candidates
            if (ban.email and ban.email == email) or ban.covers_ip(ip_address)
        ]
        # Ending last is last; a block until lifted ends after every other.
        return sorted(bans, key=lambda ban: (ban.ends_at is None, ban.ends_at))


class Ban(models.Model):
    """An e-mail address, IP address or IP range that may not comment for a while."""

    class Duration(models.TextChoices):
        HOUR = "1h", _("1 hour")
        DAY = "24h", _("24 hours")
        WEEK = "7d", _("7 days")
        UNTIL_LIFTED = "lifted", _("until lifted")

    DURATIONS = {
        Duration.HOUR: timezone.timedelta(hours=1),
        Duration.DAY: timezone.timedelta(hours=24),
        Duration.WEEK: timezone.timedelta(days=7),
        Duration.UNTIL_LIFTED: None,
    }

    email = models.EmailField(_("e-mail address"), blank=True, db_index=True)
    ip_network = models.CharField(
        _("IP address or range"),
        max_length=49,
        blank=True,
        help_text=_("One address (203.0.113.7) or a range (203.0.113.0/24)."),
    )
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Empty: until lifted.")
    )
    note = models.TextField(_("note"), blank=True)
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("because of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at"]

    def __str__(self):
        # Not the IP address: the admin shows this to moderators who may not see it.
        return self.email or str(_("a block of an IP address"))

    def clean(self):
        if not self.email and not self.ip_network:
            raise ValidationError(_("Give an e-mail address, an IP address or a range."))
        self.email = normalise_email(self.email) if self.email else ""
        if self.ip_network:
            try:
                self.ip_network = str(ipaddress.ip_network(self.ip_network.strip(), strict=False))
            except ValueError:
                raise ValidationError(
                    {"ip_network": _("Not an IP address or range, such as 203.0.113.0/24.")}
                ) from None

    def covers_ip(self, ip_address):
        if not self.ip_network or not ip_address:
            return False
        try:
            return ipaddress.ip_address(ip_address) in ipaddress.ip_network(
                self.ip_network, strict=False
            )
        except ValueError:
            return False

    @property
    def is_in_force(self):
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > timezone.now())


class WordRule(models.Model):
    """A word or phrase that refuses or holds every comment using it, on the whole site."""

    class Effect(models.TextChoices):
        REFUSE = "refuse", _("refuse the comment (the writer is told which word)")
        HOLD = "hold", _("hold the comment for a moderator")

    word = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_(
            "Matched as a whole word, whatever the capitals or accents; end with * for every "
            "word that starts with it (casino*)."
        ),
    )
    effect = models.CharField(_("effect"), max_length=10, choices=Effect, default=Effect.HOLD)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("word rule")
        verbose_name_plural = _("word rules")
        ordering = ["word"]

    def __str__(self):
        return self.word


class ModeratorAlerts(models.Model):
    """How a moderator hears of held and reported comments: at once, hourly, or not."""

    class Frequency(models.TextChoices):
        NEVER = "never", _("no e-mail")
        IMMEDIATELY = "now", _("an e-mail for each one, at once")
        HOURLY = "hourly", _("one e-mail an hour, when there is something")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_alerts"
    )
    frequency = models.CharField(
        _("e-mail about held and reported comments"),
        max_length=10,
        choices=Frequency,
        default=Frequency.NEVER,
    )
    # The end of the period the last hourly digest covered.
    digest_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("moderator's e-mail alerts")
        verbose_name_plural = _("moderators' e-mail alerts")

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(decided_at__isnull=True)


class Report(models.Model):
    """A reader's report of a comment ("Melden"); a report of illegal content is a notice
    under the Digital Services Act (art. 16), and its sender is told the decision."""

    REASONS = [
        (Ground.SPAM, Ground.SPAM.label),
        (Ground.OFFENSIVE, Ground.OFFENSIVE.label),
        (Ground.PERSONAL_DATA, Ground.PERSONAL_DATA.label),
        (Ground.MISLEADING, Ground.MISLEADING.label),
        (Ground.ILLEGAL, Ground.ILLEGAL.label),
    ]

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=REASONS)
    law = models.CharField(_("law or rule broken"), max_length=200, blank=True)
    explanation = models.TextField(_("explanation"), blank=True, max_length=2000)
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address for the outcome"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Who reported, as a keyed hash of the IP address (else the e-mail address): reports
    # from one reporter count once towards the threshold that holds a comment.
    reporter = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["comment", "decided_at"])]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.comment_id}"


class SpamFilterState(models.Model):
    """The spam filter as last trained on the moderators' decisions (one row), and how it
    did on the part of those decisions held out from its training (moderation.spam_scoring)."""

    # The one row's key: retraining replaces it.
    SINGLETON = 1

    # SpamFilter.to_json(); empty while there are too few decisions to train on.
    model = models.JSONField(_("model"), null=True, blank=True, editable=False)
    trained_at = models.DateTimeField(_("trained"), null=True, blank=True)
    ham_examples = models.PositiveIntegerField(_("approved comments"), default=0)
    spam_examples = models.PositiveIntegerField(_("spam comments"), default=0)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    held_out = models.PositiveIntegerField(_("held-out decisions"), default=0)
    true_positives = models.PositiveIntegerField(_("spam held"), default=0)
    false_positives = models.PositiveIntegerField(_("genuine comments held"), default=0)
    true_negatives = models.PositiveIntegerField(_("genuine comments let through"), default=0)
    false_negatives = models.PositiveIntegerField(_("spam let through"), default=0)
    precision = models.FloatField(_("precision"), null=True, blank=True)
    recall = models.FloatField(_("recall"), null=True, blank=True)

    class Meta:
        verbose_name = _("spam filter")
        verbose_name_plural = _("spam filter")

    def __str__(self):
        return str(_("spam filter"))

    @property
    def is_trained(self):
        return self.model is not None


class CommentSign(models.Model):
    """An e-mail address, IP address or link domain of a comment the moderators decided on
    (marked as spam, or approved), looked up by the known-spam check at each post.

    Rebuilt from the decisions whenever the spam filter is retrained. Addresses are kept
    as a keyed digest only, and a lookup also requires the comment to hold the address
    still, so erasing a writer's data or forgetting old IP addresses ends the match.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail address")
        IP_ADDRESS = "ip", _("IP address")
        LINK_DOMAIN = "domain", _("link domain")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    value = models.CharField(max_length=255)
    is_spam = models.BooleanField()

    class Meta:
        verbose_name = _("sign of a decided comment")
        verbose_name_plural = _("signs of decided comments")
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self):
        return f"{self.kind}: {self.value}"
