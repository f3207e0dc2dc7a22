"""The outbox's one task: send what is due, then come back when the next mail is."""

from django_tasks import task

from mail.delivery import next_attempt_due, send_due_mail


@task()
def deliver_outbox():
    sent = send_due_mail()
    # Wake a worker when the next waiting mail is due (a retry, or a dead worker's lease).
    due = next_attempt_due()
    if due is not None:
        deliver_outbox.using(run_after=due).enqueue()
    return sent
