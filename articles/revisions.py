"""What restoring an old revision of an article would change, shown before the editor does."""

import datetime
import difflib

from django.utils import timezone
from django.utils.formats import date_format

from articles.models import CONTENT_FIELDS, Article, Tip

COMPARED_FIELDS = (*CONTENT_FIELDS, "slug", "status", "published_at")


def changes_on_restore(article, version):
    """Each field a restore of `version` (a django-reversion Version) would change: its
    label and the lines it removes ("-"), adds ("+") and keeps around them (" ", "…").
    The tips are compared as one list, a tip a line."""
    old = version.field_dict
    changes = []
    for name in COMPARED_FIELDS:
        now, then = getattr(article, name), old.get(name)
        if now != then:
            label = Article._meta.get_field(name).verbose_name
            changes.append(_change(label, _lines(name, now), _lines(name, then)))
    tip_versions = version.revision.version_set.filter(content_type__model="tip")
    tips_then = [
        tip.field_dict["text"]
        for tip in sorted(tip_versions, key=lambda tip: tip.field_dict["position"])
    ]
    tips_now = [tip.text for tip in article.tips.all()]
    if tips_now != tips_then:
        changes.append(_change(Tip._meta.verbose_name_plural, tips_now, tips_then))
    return changes


def _lines(name, value):
    if isinstance(value, datetime.datetime):
        return [date_format(timezone.localtime(value), "DATETIME_FORMAT")]
    if name == "status":
        return [str(Article.Status(value).label)]
    return str(value).replace("\r\n", "\n").splitlines()


def _change(label, now, then):
    diff = list(difflib.unified_diff(now, then, n=1, lineterm=""))[2:]  # no file headers
    lines = [("…", "") if line.startswith("@@") else (line[:1], line[1:]) for line in diff]
    return {"label": label, "lines": lines[1:] if lines and lines[0][0] == "…" else lines}
