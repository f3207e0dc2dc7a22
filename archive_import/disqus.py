"""Bringing in a Disqus export: its comments, threaded, on the articles they were left on.

A Disqus thread is a page of the old site, known by its URL (<link>); it is matched to an
article by the last part of the URL's path, which is the article's slug or one of its
former slugs, or through a CSV file that maps old addresses to new ones. Threads that
match no article are reported, not imported.
"""

import csv
from datetime import UTC, datetime
from urllib.parse import urlsplit

from archive_import.comment_threads import ArchivedComment, Status, add_comments
from archive_import.models import ImportedItem
from archive_import.xml_stream import ArchiveError, stream
from articles.models import Article, FormerSlug

SOURCE = ImportedItem.Source.DISQUS
DISQUS_NAMESPACE = "http://disqus.com"
INTERNALS_NAMESPACE = "http://disqus.com/disqus-internals"
_ID = f"{{{INTERNALS_NAMESPACE}}}id"


def _tag(name):
    return f"{{{DISQUS_NAMESPACE}}}{name}"


def _is_thread_or_post(tag):
    return tag in (_tag("thread"), _tag("post"))


def _text(element, path):
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _true(text):
    return text.strip().lower() == "true"


def read_url_map(path):
    """{old URL or path: new URL or path} from a CSV file of two columns."""
    try:
        with open(path, newline="", encoding="utf-8") as opened:
            return {
                row[0].strip(): row[1].strip()
                for row in csv.reader(opened)
                if len(row) >= 2 and row[0].strip() and not row[0].startswith("#")
            }
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ArchiveError(f"the URL map cannot be read: {error}") from None


def _path(url):
    return urlsplit(url).path or "/"


class DisqusImport:
    def __init__(self, path, *, report, url_map=None, progress=None):
        self.path = path
        self.report = report
        self.url_map = url_map or {}
        self.progress = progress or (lambda line: None)

    def run(self):
        threads = {}  # Disqus thread id: article (None when none matches)
        posts = {}  # article pk: [ArchivedComment]
        articles = {}
        seen_root = False
        read = 0
        for root, element in stream(self.path, _is_thread_or_post, depth=1):
            if not seen_root:
                if root.tag != _tag("disqus"):
                    raise ArchiveError("not a Disqus export: no <disqus> root")
                seen_root = True
            if element.tag == _tag("thread"):
                article = self._article_for(_text(element, _tag("link")))
                threads[element.get(_ID, "")] = article
                if article is None:
                    self.report.count("threads that match no article")
                    self.report.note(f"no article for {_text(element, _tag('link'))}")
                else:
                    articles[article.pk] = article
                    self.report.count("threads matched to an article")
                continue
            thread = element.find(_tag("thread"))
            article = threads.get(thread.get(_ID, "") if thread is not None else "")
            if article is None:
                self.report.count("comments on threads that match no article")
                continue
            posts.setdefault(article.pk, []).append(self._archived(element))
            read += 1
            if read % 5000 == 0:
                self.progress(f"{read} comments read")
        if not seen_root:
            raise ArchiveError("not a Disqus export: no threads or posts")

        imported = dict(
            ImportedItem.objects.filter(source=SOURCE, kind=ImportedItem.Kind.COMMENT).values_list(
                "external_id", "object_id"
            )
        )
        for article_pk, archived in posts.items():
            known = sum(1 for comment in archived if comment.external_id in imported)
            self.report.count("comments already imported", known)
            created = add_comments(
                article=articles[article_pk], archived=archived, source=SOURCE, imported=imported
            )
            self.report.count("new comments", created)

    def _archived(self, post):
        parent = post.find(_tag("parent"))
        try:
            submitted_at = datetime.fromisoformat(_text(post, _tag("createdAt")))
        except ValueError:
            raise ArchiveError(f"post {post.get(_ID)}: createdAt is not a date") from None
        if submitted_at.tzinfo is None:
            submitted_at = submitted_at.replace(tzinfo=UTC)
        if _true(_text(post, _tag("isSpam"))):
            status = Status.SPAM
        elif _true(_text(post, _tag("isDeleted"))):
            status = Status.REMOVED
        else:
            status = Status.PUBLIC
        anonymous = _true(_text(post, f"{_tag('author')}/{_tag('isAnonymous')}"))
        return ArchivedComment(
            external_id=post.get(_ID, ""),
            parent_external_id=parent.get(_ID) if parent is not None else None,
            name=_text(post, f"{_tag('author')}/{_tag('name')}"),
            email="" if anonymous else _text(post, f"{_tag('author')}/{_tag('email')}"),
            url="",
            ip_address=_text(post, _tag("ipAddress")),
            submitted_at=submitted_at,
            html=_text(post, _tag("message")),
            status=status,
        )

    def _article_for(self, link):
        """The article a thread's URL was: through the URL map, else by its slug."""
        target = self.url_map.get(link) or self.url_map.get(_path(link)) or link
        slug = _path(target).rstrip("/").rsplit("/", 1)[-1]
        if not slug:
            return None
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            former = FormerSlug.objects.filter(slug=slug).select_related("article").first()
            article = former.article if former else None
        return article
