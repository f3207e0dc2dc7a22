from django.core.management.base import BaseCommand
from django.db import transaction

from articles.page_cache import invalidate_pages
from comments.models import Comment
from comments.rendering import render_comment_html


class Command(BaseCommand):
    help = "Render every comment's stored HTML again, after the sanitiser's allow-list changed."

    def handle(self, *args, **options):
        changed = 0
        comments = Comment.objects.only("comment", "comment_html").order_by("pk")
        with transaction.atomic():
            for comment in comments.iterator(chunk_size=500):
                html = render_comment_html(comment.comment)
                if html != comment.comment_html:
                    Comment.objects.filter(pk=comment.pk).update(comment_html=html)
                    changed += 1
        invalidate_pages()
        self.stdout.write(f"Rendered {comments.count()} comments again; {changed} changed.")
