"""Running an import in one transaction: all of it or nothing, and nothing in a dry run."""

from django.db import transaction

from articles.page_cache import invalidate_pages


class _DryRunOver(Exception):  # noqa: N818 - not an error: ends the dry run's transaction
    pass


def run_import(work, *, dry_run):
    """Call work(); keep what it wrote unless this is a dry run. A failure (a malformed
    file found half-way) leaves the database as it was."""
    try:
        with transaction.atomic():
            work()
            if dry_run:
                raise _DryRunOver
            # The articles' saves made cached pages stale already; the comments, written
            # in bulk, did not: once for all of them.
            invalidate_pages()
    except _DryRunOver:
        pass
