from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.personal_data import Erasure


class ErasureForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What should happen to your comments?"),
        choices=[
            (Erasure.ANONYMISE, _('Keep the text of my comments, under the name "Anonieme lezer"')),
            (Erasure.REMOVE, _("Remove my comments and their text")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what should happen to your comments.")},
    )
