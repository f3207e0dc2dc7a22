"""The subscriber list as a CSV file that Dutch spreadsheets open as it is."""

import csv
import io

from django.utils.translation import gettext as _

# Cells a spreadsheet would read as a formula (or that hide one behind a control character).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell value no spreadsheet runs as a formula: such cells start with a quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def subscriptions_csv(subscriptions):
    """CSV text of subscriptions as Dutch spreadsheets open it: UTF-8 with BOM, ';'-separated.

    One row per subscription: address, what it follows (an article or the newsletter),
    what it receives, its status, language and dates.
    """
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads UTF-8 ("privé") rather than the local code page
    writer = csv.writer(out, delimiter=";")
    header = [
        _("e-mail address"),
        _("follows"),
        _("receives"),
        _("status"),
        _("language"),
        _("confirmed"),
        _("created"),
    ]
    writer.writerow([csv_safe(cell) for cell in header])
    for subscription in subscriptions:
        writer.writerow(
            csv_safe(cell)
            for cell in (
                subscription.email,
                subscription.article.title if subscription.article else _("Newsletter"),
                subscription.get_scope_display(),
                subscription.status.label,
                subscription.language,
                subscription.confirmed_at.isoformat() if subscription.confirmed_at else "",
                subscription.created_at.isoformat(),
            )
        )
    return out.getvalue()
