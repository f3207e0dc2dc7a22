"""The privacy app's one kind of mail: the link to a reader's own data."""

from django.utils.translation import gettext_lazy as _

from mail.messages import compose
from mail.registry import MailKind
from privacy.personal_data import DATA_REQUEST_KIND, data_url


def build_data_request(mail):
    return compose(mail, "privacy/email/data_request", {"data_url": data_url(mail.to)})


DATA_REQUEST = MailKind(
    name=DATA_REQUEST_KIND, label=_("personal data request"), build=build_data_request
)
