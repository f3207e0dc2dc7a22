from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from search.full_text import words_in

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "required": _("Type one or more words to search for."),
            "max_length": _(
                "Your search is too long: use at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
            "null_characters_not_allowed": _(
                "Your search contains a character that cannot be searched for. "
                "Type the words again."
            ),
        },
        widget=forms.TextInput(attrs={"type": "search", "class": "search-form__input"}),
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        words = words_in(query)
        if not words:
            raise ValidationError(
                _("Search for words or numbers: punctuation alone finds nothing."),
                code="no_words",
            )
        if len(words) > MAX_WORDS:
            raise ValidationError(
                _("Use at most %(max)d words: fewer words find more articles."),
                code="too_many_words",
                params={"max": MAX_WORDS},
            )
        self.words = words
        return query
