"""Writing a mail of the outbox: text and HTML from templates, the site's headers.

Used by every app's kinds of mail (mail.registry); runs in the mail's language.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

AUTO_SUBMITTED = {"Auto-Submitted": "auto-generated"}


class SiteEmail(EmailMultiAlternatives):
    """Headers are folded at RFC 5322's 998 characters, not 78.

    Python's compat32 policy, which Django 5.2 uses, encodes a long header with
    no space in it (the List-Unsubscribe URL) as an RFC 2047 encoded-word that
    mail programs do not read as a URL.
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        message.policy = message.policy.clone(max_line_length=998)
        return message


def site_hostname():
    return urlsplit(settings.SITE_URL).hostname


def message_id_for(mail):
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:32]
    return f"<{digest}@{site_hostname()}>"


def list_headers(*, unsubscribe_url, list_id):
    """A mailing list's headers, with RFC 8058 one-click unsubscribe."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<{list_id}.{site_hostname()}>",
        **AUTO_SUBMITTED,
    }


def compose(mail, template, context, headers=AUTO_SUBMITTED):
    """The message from `template`_subject.txt, .txt and .html, to the mail's address."""
    context = {"site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"{template}_subject.txt", context)
    message = SiteEmail(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        to=[mail.to],
        headers={
            "Message-ID": message_id_for(mail),
            "Content-Language": translation.get_language(),
            **headers,
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
