from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import Comment
from moderation.models import Ban, Decision, Ground


class DecisionForm(forms.Form):
    """One action from the queue, on one comment or a selection."""

    action = forms.ChoiceField(choices=Decision.Action.choices)
    comments = forms.ModelMultipleChoiceField(
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
