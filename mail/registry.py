"""What the outbox knows of the apps: their kinds of mail, and what a starting worker does.

Apps fill it in their AppConfig.ready(), the way they register models with the admin,
so the outbox imports no app and a new kind of mail never edits mail/.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


def _always_send(mail):
    return ""


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: its name in the outbox, how it is written, and when it is not sent."""

    name: str
    label: str
    # (mail) -> EmailMessage, called in the mail's language.
    build: Callable
    # (mail) -> why it should no longer go out, or "" to send it.
    reason_not_to_send: Callable = _always_send
    # (mails) -> None: fetch what a batch of this kind needs in a few queries.
    load: Callable | None = None


_kinds: dict[str, MailKind] = {}
_worker_start_steps: list[Callable] = []
_renamed_tasks: dict[str, object] = {}


def register_kind(kind):
    known = _kinds.get(kind.name)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"Two kinds of mail are called {kind.name!r}.")
    _kinds[kind.name] = kind
    return kind


def kind_named(name):
    """The registered kind; LookupError for a name no installed app registered."""
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No app registered the kind of mail {name!r}.") from None


def kinds():
    return sorted(_kinds.values(), key=lambda kind: kind.name)


def on_worker_start(step):
    """Run `step()` whenever a worker starts: to queue again what a stopped worker left."""
    if step not in _worker_start_steps:
        _worker_start_steps.append(step)
    return step


def worker_start_steps():
    return list(_worker_start_steps)


def rename_task(old_path, task):
    """Tasks queued under `old_path` (by an earlier version) run as `task`."""
    _renamed_tasks[old_path] = task


def renamed_tasks():
    return dict(_renamed_tasks)
