"""Bringing in a WordPress export (WXR): posts as articles, with their authors, categories
(as sections), tags, featured images and threaded comments.

The file is read twice as a stream: first the authors and the attachments (for featured
images, which may come after the post that shows them), then the posts one by one.
"""

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import bleach
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from markdownify import markdownify

from archive_import.comment_threads import ArchivedComment, Status, add_comments
from archive_import.models import ImportedItem
from archive_import.xml_stream import ArchiveError, local_name, stream
from articles.models import Article, Author, FormerSlug, Section
from images.models import Image
from images.tasks import queue_renditions
from images.uploads import clean_upload

SOURCE = ImportedItem.Source.WORDPRESS

POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # scheduled: published_at is still to come
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}
COMMENT_STATUSES = {
    "1": Status.PUBLIC,
    "approve": Status.PUBLIC,
    "0": Status.HELD,
    "hold": Status.HELD,
    "spam": Status.SPAM,
    "trash": Status.REMOVED,
    "post-trashed": Status.REMOVED,
}
# The shortcodes WordPress themes and plug-ins write into posts; their text stays.
_SHORTCODE = re.compile(
    r"\[/?(?:caption|gallery|embed|video|audio|playlist|wp_caption)\b[^\]]*\]", re.I
)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.I | re.S)
_BLANK_LINE = re.compile(r"\n\s*\n")
# A line break inside a paragraph, not one next to a block of its own (a heading, a list).
_BLOCK_TAG = r"(?:h[1-6]|ul|ol|li|blockquote|div|table|tr|td|figure|hr)"
_ENDS_WITH_BLOCK = re.compile(rf"</?{_BLOCK_TAG}\b[^>]*>\s*$", re.I)
_STARTS_WITH_BLOCK = re.compile(rf"\s*</?{_BLOCK_TAG}\b", re.I)
_NO_DATE = "0000-00-00 00:00:00"
_text_only = bleach.Cleaner(tags=set(), strip=True, strip_comments=True)


def _short(tag):
    """A WXR tag as written in the file (wp:post_id, content:encoded, ...), whatever the
    export's version (wp is http://wordpress.org/export/1.0/ to 1.2/)."""
    namespace, name = local_name(tag)
    if namespace.startswith("http://wordpress.org/export/"):
        return f"excerpt:{name}" if namespace.rstrip("/").endswith("excerpt") else f"wp:{name}"
    if namespace == "http://purl.org/rss/1.0/modules/content/":
        return f"content:{name}"
    if namespace == "http://purl.org/dc/elements/1.1/":
        return f"dc:{name}"
    return name


def _is_top_level(tag):
    return _short(tag) in ("item", "wp:author")


def _fields(element):
    """The element's children: {short tag: the first one's text}, {short tag: [all of them]}."""
    fields, repeated = {}, {}
    for child in element:
        name = _short(child.tag)
        fields.setdefault(name, child.text or "")
        repeated.setdefault(name, []).append(child)
    return fields, repeated


def plain(text):
    """The text of a bit of HTML, its whitespace collapsed."""
    text = text or ""
    if "<" in text:
        text = _text_only.clean(text)
    return " ".join(html.unescape(text).split())


def _with_paragraphs(content):
    """WordPress stores paragraphs as blank lines and adds <p> when it shows a post."""
    content = _SHORTCODE.sub("", content.replace("\r\n", "\n"))
    if re.search(r"<p\b", content, re.I):
        return content
    blocks = [block.strip() for block in _BLANK_LINE.split(content) if block.strip()]
    return "".join(f"<p>{_line_breaks(block)}</p>\n" for block in blocks)


def _line_breaks(block):
    lines = block.split("\n")
    joined = lines[0]
    for line in lines[1:]:
        beside_block = _ENDS_WITH_BLOCK.search(joined) or _STARTS_WITH_BLOCK.match(line)
        joined += ("\n" if beside_block else "<br>\n") + line
    return joined


def body_and_lead(content, excerpt):
    """The post's HTML as the article's Markdown body, and its lead: the excerpt, else
    the first paragraph (which then leaves the body, so it is not shown twice)."""
    content = _with_paragraphs(content)
    lead = plain(excerpt)
    if not lead:
        for match in _PARAGRAPH.finditer(content):
            lead = plain(match.group(1))
            if lead:
                content = content[: match.start()] + content[match.end() :]
                break
    # markdownify leaves out <script> and <style> with their content.
    body = markdownify(content, heading_style="ATX", bullets="-")
    return re.sub(r"\n{3,}", "\n\n", body).strip(), lead


def _date(gmt, local):
    if gmt and gmt != _NO_DATE:
        return datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    if local and local != _NO_DATE:
        return timezone.make_aware(datetime.strptime(local, "%Y-%m-%d %H:%M:%S"))
    return None


class WordPressImport:
    def __init__(self, path, *, report, media_dir=None, progress=None):
        self.path = path
        # A dry run writes to the database in a transaction it rolls back, but no file.
        self.dry_run = report.dry_run
        self.report = report
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.progress = progress or (lambda line: None)
        self.authors = {}  # login: display name
        self.attachments = {}  # attachment id: (url, alt text)
        self.sections = {}
        self.author_profiles = {}

    def run(self):
        self._read_authors_and_attachments()
        self.imported_articles = dict(
            ImportedItem.objects.filter(source=SOURCE, kind=ImportedItem.Kind.ARTICLE).values_list(
                "external_id", "object_id"
            )
        )
        self.imported_comments = dict(
            ImportedItem.objects.filter(source=SOURCE, kind=ImportedItem.Kind.COMMENT).values_list(
                "external_id", "object_id"
            )
        )
        posts = 0
        for _root, item in stream(self.path, _is_top_level, depth=2):
            if _short(item.tag) != "item":
                continue
            fields, repeated = _fields(item)
            if fields.get("wp:post_type", "post") != "post":
                continue
            self._import_post(fields, repeated)
            posts += 1
            if posts % 100 == 0:
                self.progress(f"{posts} posts read")

    def _read_authors_and_attachments(self):
        seen_root = False
        for root, element in stream(self.path, _is_top_level, depth=2):
            if not seen_root:
                if local_name(root.tag)[1] != "rss":
                    raise ArchiveError("not a WordPress export (WXR): no <rss> root")
                seen_root = True
            fields, repeated = _fields(element)
            if _short(element.tag) == "wp:author":
                login = fields.get("wp:author_login", "")
                self.authors[login] = fields.get("wp:author_display_name") or login
            elif fields.get("wp:post_type") == "attachment":
                meta = self._postmeta(repeated)
                self.attachments[fields.get("wp:post_id", "")] = (
                    fields.get("wp:attachment_url", ""),
                    meta.get("_wp_attachment_image_alt") or plain(fields.get("title", "")),
                )
        if not seen_root:
            raise ArchiveError("not a WordPress export (WXR): no items")

    @staticmethod
    def _postmeta(repeated):
        meta = {}
        for element in repeated.get("wp:postmeta", []):
            fields, _ = _fields(element)
            meta[fields.get("wp:meta_key", "")] = fields.get("wp:meta_value", "")
        return meta

    def _import_post(self, fields, repeated):
        post_id = fields.get("wp:post_id", "")
        status = POST_STATUSES.get(fields.get("wp:status", ""))
        if not post_id or status is None:
            self.report.count("posts not imported (trash, auto-draft, ...)")
            return
        article_id = self.imported_articles.get(post_id)
        if article_id is None:
            article = self._new_article(fields, repeated, status)
            self.imported_articles[post_id] = article.pk
            self.report.count("new articles")
        else:
            article = Article.objects.filter(pk=article_id).first()
            if article is None:  # an editor deleted it: it stays deleted
                self.report.count("posts imported before and deleted here since")
                return
            self.report.count("articles already imported")
        self._import_comments(article, repeated.get("wp:comment", []))

    def _new_article(self, fields, repeated, status):
        title = plain(fields.get("title", ""))[:200] or fields["wp:post_id"]
        body, lead = body_and_lead(
            fields.get("content:encoded", ""), fields.get("excerpt:encoded", "")
        )
        published_at = (
            _date(fields.get("wp:post_date_gmt"), fields.get("wp:post_date")) or timezone.now()
        )
        changed_at = _date(fields.get("wp:post_modified_gmt"), fields.get("wp:post_modified"))
        categories = [c for c in repeated.get("category", []) if c.get("domain") == "category"]
        tags = [
            plain(c.text)[:100]
            for c in repeated.get("category", [])
            if c.get("domain") == "post_tag"
        ]
        creator = fields.get("dc:creator", "").strip()
        article = Article(
            title=title,
            slug=self._free_slug(fields.get("wp:post_name", ""), title),
            status=status,
            published_at=published_at,
            content_changed_at=max(changed_at or published_at, published_at),
            lead=lead or title,
            body=body,
            section=self._section(categories[0]) if categories else None,
            author=self._author(creator) if creator else None,
            comments_enabled=fields.get("wp:comment_status", "open") != "closed",
            lead_image=self._featured_image(self._postmeta(repeated).get("_thumbnail_id"), title),
        )
        article.save()
        if tags:
            article.tags.add(*{tag for tag in tags if tag})
        ImportedItem.objects.create(
            source=SOURCE,
            kind=ImportedItem.Kind.ARTICLE,
            external_id=fields["wp:post_id"],
            content_type=_content_type(Article),
            object_id=article.pk,
        )
        return article

    def _free_slug(self, post_name, title):
        base = slugify(unquote(post_name), allow_unicode=False)[:190] or slugify(title)[:190]
        base = base or "artikel"
        slug, number = base, 1
        while (
            Article.objects.filter(slug=slug).exists()
            or FormerSlug.objects.filter(slug=slug).exists()
        ):
            number += 1
            slug = f"{base}-{number}"
        if slug != base:
            self.report.count("slugs changed because another article has them")
            self.report.note(f"slug {base!r} was taken: the article is at {slug!r}")
        return slug

    def _section(self, category):
        name = plain(category.text)[:60]
        slug = slugify(unquote(category.get("nicename", ""))) or slugify(name)
        key = slug or name
        if key not in self.sections:
            section = (
                Section.objects.filter(slug=slug).first()
                or Section.objects.filter(name__iexact=name).first()
            )
            if section is None:
                last = Section.objects.aggregate(last=Max("position"))["last"]
                section = Section.objects.create(
                    name=name, slug=slug[:60], position=0 if last is None else last + 1
                )
                self.report.count("new sections")
            self.sections[key] = section
        return self.sections[key]

    def _author(self, login):
        if login not in self.author_profiles:
            name = plain(self.authors.get(login, login))[:100]
            slug = slugify(name)[:100] or slugify(login)[:100]
            author = Author.objects.filter(slug=slug).first()
            if author is None:
                author = Author.objects.create(name=name, slug=slug)
                self.report.count("new authors")
            self.author_profiles[login] = author
        return self.author_profiles[login]

    def _featured_image(self, attachment_id, title):
        if not attachment_id or attachment_id not in self.attachments:
            return None
        imported = ImportedItem.objects.filter(
            source=SOURCE, kind=ImportedItem.Kind.IMAGE, external_id=attachment_id
        ).first()
        if imported is not None:
            return Image.objects.filter(pk=imported.object_id).first()
        url, alt = self.attachments[attachment_id]
        path = self._local_file(url)
        if path is None:
            self.report.count("featured images without a file")
            return None
        with path.open("rb") as opened:
            try:
                clean = clean_upload(File(opened, name=path.name))
            except ValidationError as error:
                self.report.count("featured images refused")
                self.report.note(f"{url}: {' '.join(error.messages)}")
                return None
        if self.dry_run:  # checked, but not stored: a rolled-back transaction keeps files
            self.report.count("new images")
            return None
        image = Image.objects.create(
            file=clean.file,
            width=clean.width,
            height=clean.height,
            title=title,
            alt_text=(alt or title)[:250],
        )
        queue_renditions(image)
        ImportedItem.objects.create(
            source=SOURCE,
            kind=ImportedItem.Kind.IMAGE,
            external_id=attachment_id,
            content_type=_content_type(Image),
            object_id=image.pk,
        )
        self.report.count("new images")
        return image

    def _local_file(self, url):
        """The file under --media-dir for the attachment's URL: its path there, or the part
        after wp-content/uploads/; never a file outside the folder."""
        if self.media_dir is None or not url:
            return None
        url_path = unquote(urlsplit(url).path).lstrip("/")
        candidates = [url_path]
        if "wp-content/uploads/" in url_path:
            candidates.append(url_path.split("wp-content/uploads/", 1)[1])
        for candidate in candidates:
            path = (self.media_dir / candidate).resolve()
            if path.is_relative_to(self.media_dir) and path.is_file():
                return path
        return None

    def _import_comments(self, article, elements):
        archived = []
        for element in elements:
            fields, _ = _fields(element)
            if fields.get("wp:comment_type", "") in ("pingback", "trackback"):
                self.report.count("pingbacks and trackbacks skipped")
                continue
            comment_id = fields.get("wp:comment_id", "")
            status = COMMENT_STATUSES.get(fields.get("wp:comment_approved", "").strip())
            submitted_at = _date(fields.get("wp:comment_date_gmt"), fields.get("wp:comment_date"))
            if not comment_id or status is None or submitted_at is None:
                self.report.count("comments not imported (unknown state or no date)")
                continue
            if comment_id in self.imported_comments:
                self.report.count("comments already imported")
                continue
            parent = fields.get("wp:comment_parent", "0").strip()
            archived.append(
                ArchivedComment(
                    external_id=comment_id,
                    parent_external_id=None if parent in ("", "0") else parent,
                    name=plain(fields.get("wp:comment_author", "")),
                    email=fields.get("wp:comment_author_email", ""),
                    url=fields.get("wp:comment_author_url", ""),
                    ip_address=fields.get("wp:comment_author_IP"),
                    submitted_at=submitted_at,
                    html=fields.get("wp:comment_content", ""),
                    status=status,
                )
            )
        created = add_comments(
            article=article, archived=archived, source=SOURCE, imported=self.imported_comments
        )
        self.report.count("new comments", created)


def _content_type(model):
    return ContentType.objects.get_for_model(model)
