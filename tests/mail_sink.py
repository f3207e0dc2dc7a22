"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

import asyncio
import email
import re
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    def __init__(self, port=None, delay=0.0):
        self.port = port or free_port()
        self.delay = delay  # seconds per message, to make a batch take a while
        self.messages = []
        self.recipients = []  # envelope recipients, as the server saw them
        self.raw = []  # each message's bytes as received
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.extend(envelope.rcpt_tos)
            self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address):
        """The messages addressed to exactly this address."""
        return [m for m in list(self.messages) if m["To"].addresses[0].addr_spec == address]

    def clear(self):
        with self._lock:
            self.messages.clear()
            self.recipients.clear()
            self.raw.clear()


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message):
    """The addresses in a mail's text part."""
    return re.findall(r"https?://\S+", text_of(message))


def path_of(url):
    """A link's path, for the test client."""
    return re.sub(r"^https?://[^/]+", "", url)
