import re

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.forms import REFRESH_CAPTCHA, captcha_field, validate_plain_email
from comments.models import Comment
from moderation.models import Ban, Decision, Ground, ModeratorAlerts, Report


class CommentChoiceField(forms.ModelMultipleChoiceField):
    """Comments by id; an id no database could hold is refused like an unknown one."""

    def _check_values(self, value):
        if any(not re.fullmatch(r"[0-9]{1,18}", str(pk)) for pk in value):
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return super()._check_values(value)


class DecisionForm(forms.Form):
    """One action from the queue, on one comment or a selection."""

    action = forms.ChoiceField(choices=Decision.Action.choices)
    comments = CommentChoiceField(
        queryset=Comment.objects.all(),
        error_messages={"required": _("Select at least one comment.")},
    )
    ground = forms.ChoiceField(choices=[("", "—"), *Ground.choices], required=False)
    note = forms.CharField(required=False, max_length=2000)
    ban_for = forms.ChoiceField(choices=Ban.Duration.choices, required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in (Decision.Action.REJECT, Decision.Action.BAN) and not data.get("ground"):
            self.add_error("ground", _("Choose the ground for rejecting."))
        if action == Decision.Action.BAN and not data.get("ban_for"):
            self.add_error("ban_for", _("Choose how long the block lasts."))
        return data


class ReportForm(forms.Form):
    """A reader's report of a comment ("Melden"); for illegal content, a notice as the
    Digital Services Act (art. 16) describes it: what, why, who, and in good faith."""

    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Report.REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is wrong with the comment.")},
    )
    law = forms.CharField(
        label=_("Which law or rule does it break?"),
        required=False,
        max_length=200,
        help_text=_("Only for illegal content, for example: defamation (art. 261 Sr)."),
    )
    explanation = forms.CharField(
        label=_("Explanation (optional; needed for illegal content)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(
        label=_("Your name (optional; needed for illegal content)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address, to hear the outcome (optional; needed for illegal content)"),
        required=False,
        max_length=254,
        validators=[validate_plain_email],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    good_faith = forms.BooleanField(
        label=_(
            "I declare in good faith that the information in this report is correct and "
            "complete (needed for illegal content)."
        ),
        required=False,
    )
    # The DSA (art. 16(2)(c)) lets a notice of child sexual abuse be sent anonymously.
    child_sexual_abuse = forms.BooleanField(
        label=_(
            "The report concerns the sexual abuse of children: your name and e-mail address "
            "are then not needed."
        ),
        required=False,
    )
    captcha = captcha_field(
        _(
            "As an extra check, to make sure this form is filled in by a person, copy the code "
            "below into the text field next to it. Can't read it?"
        )
    )
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))

    @classmethod
    def for_request(cls, request):
        if request.method != "POST":
            return cls()
        if REFRESH_CAPTCHA in request.POST:
            return cls(initial={key: request.POST.get(key, "") for key in cls.base_fields})
        return cls(request.POST)

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise forms.ValidationError(_("This request looks automated and was not accepted."))
        return ""

    def clean(self):
        data = super().clean()
        if data.get("reason") == Ground.ILLEGAL:
            required = {
                "law": _("Say which law or rule the comment breaks."),
                "explanation": _("Explain why the comment is illegal."),
                "name": _("Fill in your name: a report of illegal content needs it."),
                "email": _("Fill in your e-mail address: you will hear what we decided."),
                "good_faith": _("Confirm that you report in good faith."),
            }
            if data.get("child_sexual_abuse"):
                del required["name"], required["email"]
            for field, message in required.items():
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, message)
        return data


class ModeratorAlertsForm(forms.ModelForm):
    class Meta:
        model = ModeratorAlerts
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}
