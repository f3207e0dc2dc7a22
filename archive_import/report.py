"""What an import did (or, in a dry run, would do), counted for the operator."""

from collections import Counter


class ImportReport:
    def __init__(self, *, dry_run):
        self.dry_run = dry_run
        self.counts = Counter()
        self.notes = []

    def count(self, what, number=1):
        self.counts[what] += number

    def note(self, line):
        self.notes.append(line)

    def __getitem__(self, what):
        return self.counts[what]

    def lines(self):
        if self.dry_run:
            yield "Dry run: nothing was written. An import would do this:"
        else:
            yield "Imported:"
        for what, number in sorted(self.counts.items()):
            yield f"  {what}: {number}"
        yield from (f"  - {note}" for note in self.notes)
