import re
import secrets
import time
import unicodedata

import idna
from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, Subscription
from comments.rendering import is_blank_html, render_comment

FORM_TOKEN_SALT = "comments.form-token"  # noqa: S105 - a salt, not a secret

# The "Klik hier om de code te wijzigen" button's name (templates/captcha/widgets/):
# without JavaScript it posts the form, which comes back with what the reader typed
# and a new code.
REFRESH_CAPTCHA = "nieuwe_code"

# Control characters and bidirectional overrides have no place in a name.
_FORBIDDEN_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def issue_form_token(article):
    """A signed, one-time key for one filled-in form, with the moment it was handed out."""
    return signing.dumps(
        {"a": article.pk, "k": secrets.token_urlsafe(18), "t": int(time.time())},
        salt=FORM_TOKEN_SALT,
    )


def read_form_token(token, article):
    """The token's payload, or None when it is missing, tampered with or for another article."""
    try:
        payload = signing.loads(token or "", salt=FORM_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("a") != article.pk:
        return None
    if not isinstance(payload.get("k"), str) or not isinstance(payload.get("t"), int):
        return None
    return payload


class WebsiteField(forms.URLField):
    """An optional website; the bare "http://" a reader left from the placeholder means none."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip().lower() in ("http://", "https://"):
            return ""
        return super().to_python(value)


def _is_invisible(character):
    # Control, format (bidirectional overrides, zero-width joiners, soft hyphens),
    # private-use, unassigned and other characters nobody sees.
    return unicodedata.category(character) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp") or (
        character in _DEFAULT_IGNORABLE
    )


# Default-ignorable code points outside the categories above (Unicode's DerivedCoreProperties).
_DEFAULT_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
    + "".join(chr(code) for code in range(0x180B, 0x1810))
    + "".join(chr(code) for code in range(0xFE00, 0xFE10))
)


def validate_plain_email(value):
    """An address written with nothing invisible in it, whose domain IDNA can write."""
    if any(_is_invisible(character) or character.isspace() for character in value):
        raise ValidationError(
            _("Your e-mail address contains characters that are not allowed."), "email"
        )
    domain = value.rpartition("@")[2]
    try:
        idna.encode(domain, uts46=True, transitional=False)
    except (idna.IDNAError, UnicodeError) as error:
        raise ValidationError(EmailValidator.message, "invalid") from error


def validate_plain_name(value):
    if _FORBIDDEN_IN_NAME.search(value):
        raise ValidationError(_("Your name contains characters that are not allowed."), "name")


def captcha_field(help_text):
    """The code to type over, with a help text that names what the form is for."""
    return CaptchaField(
        label=_("Code"),
        widget=CaptchaTextInput(attrs={"aria-describedby": "captcha-help"}),
        help_text=help_text,
        error_messages={
            "invalid": _("The code is not correct. Type the code of the new image."),
            "required": _("Type the code from the image."),
        },
    )


class CommentForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        validators=[validate_plain_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        validators=[validate_plain_email],
        help_text=_("Not shown on the site."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = WebsiteField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        widget=forms.URLInput(attrs={"placeholder": "http://", "autocomplete": "url"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    remember = forms.BooleanField(
        label=_("Remember my name, e-mail address and website on this device (a cookie)."),
        required=False,
    )
    followup = forms.BooleanField(
        label=_("I want to receive an e-mail when more comments appear on this article."),
        required=False,
    )
    captcha = captcha_field(
        _(
            "As an extra check, to make sure this is a comment typed by hand, copy the code "
            "below into the text field next to it. Can't read it?"
        )
    )
    # Hidden from people; bots that fill in every field give themselves away.
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))
    form_token = forms.CharField(widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, article, **kwargs):
        self.article = article
        self.token = None
        self.parent_comment = None
        self.rendered = None
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Fill in your name.")
        self.fields["email"].error_messages["required"] = _("Fill in your e-mail address.")
        self.fields["comment"].error_messages["required"] = _("Write your comment.")
        if not self.is_bound:
            # Initial values may come from a posted form (a new captcha without JavaScript).
            self.initial = {
                key: value
                for key, value in self.initial.items()
                if key in self.fields and key not in ("captcha", "homepage")
            }
            self.initial.setdefault("form_token", issue_form_token(article))
            self.parent_comment = self._visible_parent(self.initial.get("parent"))
            self.initial["parent"] = self.parent_comment.pk if self.parent_comment else None

    def clean_comment(self):
        text = self.cleaned_data["comment"]
        if "\x00" in text:
            raise ValidationError(_("Your comment contains characters that are not allowed."))
        # Rendered once here and carried to the stored comment (see post_comment).
        self.rendered = render_comment(text)
        if is_blank_html(self.rendered.html):
            raise ValidationError(_("Your comment has no text left after removing markup."))
        return text

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise ValidationError(_("This comment looks automated and was not posted."))
        return ""

    def clean_parent(self):
        parent_id = self.cleaned_data["parent"]
        if not parent_id:
            return None
        parent = self._visible_parent(parent_id)
        if parent is None:
            raise ValidationError(
                _("The comment you are replying to does not exist (any more)."), "parent"
            )
        self.parent_comment = parent
        return parent_id

    def _visible_parent(self, parent_id):
        # ASCII digits only, within a database integer: "²" and 10**30 are no comment ids.
        if not re.fullmatch(r"[0-9]{1,18}", str(parent_id or "")):
            return None
        return Comment.objects.for_article(self.article).visible().filter(pk=int(parent_id)).first()

    def clean(self):
        cleaned = super().clean()
        payload = read_form_token(self.data.get("form_token"), self.article)
        if payload is None:
            # Hand out a fresh token so that sending again works.
            self.data = self.data.copy()
            self.data["form_token"] = issue_form_token(self.article)
            raise ValidationError(
                _("This form is not valid any more. Check your comment and send it again."),
                "token",
            )
        self.token = payload
        if time.time() - payload["t"] < settings.COMMENTS_MIN_FILL_SECONDS:
            raise ValidationError(
                _("That was very fast. Check your comment and send it again."), "too_fast"
            )
        return cleaned


class OwnCommentForm(forms.Form):
    """A writer's new text for their own comment (comments/own_comments.py)."""

    comment = CommentForm.base_fields["comment"]

    def __init__(self, *args, **kwargs):
        self.rendered = None
        super().__init__(*args, **kwargs)
        self.fields["comment"].error_messages["required"] = _("Write your comment.")

    clean_comment = CommentForm.clean_comment


class EmailCaptchaForm(forms.Form):
    """An e-mail address behind a captcha: to follow a discussion without commenting, sign
    up for the newsletter (newsletter/), or ask for one's data (privacy/)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        validators=[validate_plain_email],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    captcha = captcha_field(
        _(
            "As an extra check, to make sure this form is filled in by a person, copy the code "
            "below into the text field next to it. Can't read it?"
        )
    )
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = _("Fill in your e-mail address.")

    @classmethod
    def for_request(cls, request):
        """The form bound to a POST; unbound on a GET, and when a reader without JavaScript
        asked for a new code: then it shows again with the address kept and no errors."""
        if request.method != "POST":
            return cls()
        if REFRESH_CAPTCHA in request.POST:
            return cls(initial={"email": request.POST.get("email", "")})
        return cls(request.POST)

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise ValidationError(_("This request looks automated and was not accepted."))
        return ""


class ScopeForm(forms.Form):
    """The manage page: a choice per subscription of an address, and the mails' language."""

    NEWSLETTER_CHOICES = [
        (Subscription.Scope.ALL, _("send me the newsletter")),
        (Subscription.Scope.NONE, _("no newsletter")),
    ]

    def __init__(self, *args, subscriptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriptions = list(subscriptions)
        for subscription in self.subscriptions:
            newsletter = subscription.is_newsletter
            self.fields[f"scope_{subscription.pk}"] = forms.ChoiceField(
                label=_("Newsletter") if newsletter else subscription.article.title,
                choices=self.NEWSLETTER_CHOICES if newsletter else Subscription.Scope.choices,
                initial=subscription.scope,
                widget=forms.RadioSelect,
            )
        if self.subscriptions:
            languages = {subscription.language for subscription in self.subscriptions}
            # Each language is named in itself (and marked so), so a reader finds their own.
            self.fields["language"] = forms.ChoiceField(
                label=_("Language of the e-mails"),
                choices=[
                    (
                        code,
                        format_html(
                            '<span lang="{}">{}</span>',
                            code,
                            translation.get_language_info(code)["name_local"],
                        ),
                    )
                    for code, _name in settings.LANGUAGES
                ],
                # Mixed languages (asked from pages in both) stay as they are until chosen.
                initial=languages.pop() if len(languages) == 1 else None,
                widget=forms.RadioSelect,
                required=False,
            )

    def language(self):
        """The chosen language, or None when the form left it out (keep the current one)."""
        return self.cleaned_data.get("language") or None

    def scopes(self):
        return {
            subscription.pk: self.cleaned_data[f"scope_{subscription.pk}"]
            for subscription in self.subscriptions
        }
