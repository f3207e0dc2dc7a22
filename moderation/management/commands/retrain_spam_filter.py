from django.core.management.base import BaseCommand

from moderation.spam_scoring import retrain


def percent(value):
    return "n/a" if value is None else f"{value:.0%}"


class Command(BaseCommand):
    help = (
        "Retrain the spam filter on the moderators' decisions now, and rebuild the known "
        "spam addresses and link domains (the worker does this after decisions)."
    )

    def handle(self, *args, **options):
        state = retrain()
        learnt = f"{state.ham_examples} approved and {state.spam_examples} spam comments"
        if not state.is_trained:
            self.stdout.write(f"Not trained: too few decisions ({learnt}).")
            return
        self.stdout.write(
            f"Trained on {learnt}. Held out {state.held_out}: precision "
            f"{percent(state.precision)}, recall {percent(state.recall)} "
            f"at threshold {state.threshold:g}."
        )
