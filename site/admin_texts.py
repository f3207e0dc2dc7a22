"""Texts of Django and other packages that we translate ourselves.

Our catalogue (LOCALE_PATHS) goes before theirs: Django's Dutch admin says "De artikel …"
whatever the word's gender, and axes and django-tasks-db have no Dutch at all. Nothing
imports this module; it only keeps these texts in our catalogue when `make messages`
runs.
"""

from django.utils.translation import gettext_noop

TEXTS = [
    # django.contrib.admin's messages after a save (gender-neutral in our Dutch)
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    # django-axes' models
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # django-tasks-db's model
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
]
