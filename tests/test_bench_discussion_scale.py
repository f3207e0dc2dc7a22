"""The busy-discussion benchmark's builder makes the threads django-comments-xtd would make
(bench/discussion_scale.py; the timing lives there, not here)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from bench.discussion_scale import (
    comments_in_html,
    counting_comments_built,
    create_comments,
    plan_discussion,
    plan_thread,
)
from comments.models import Comment

START = timezone.now() - datetime.timedelta(days=2)


@pytest.fixture
def max_level():
    return settings.COMMENTS_XTD_MAX_THREAD_LEVEL


def saved_one_by_one(article, plan):
    """The same discussion posted through xtd's own save(), in time order."""
    ids = []
    for planned in plan:
        comment = Comment(
            content_type=ContentType.objects.get_for_model(Article),
            object_pk=str(article.pk),
            site_id=1,
            user_name=f"Lezer {planned.index}",
            comment=f"Reactie {planned.index}",
            submit_date=START + datetime.timedelta(minutes=planned.index),
            parent_id=0 if planned.parent is None else ids[planned.parent],
            in_reply_to_id=None if planned.answers is None else ids[planned.answers],
        )
        comment.save()
        ids.append(comment.pk)
    return ids


def shape(ids):
    """Each comment's thread fields, with ids replaced by positions in the plan."""
    position = {pk: index for index, pk in enumerate(ids)}
    rows = Comment.objects.in_bulk(ids)
    return [
        (
            position[rows[pk].thread_id],
            position[rows[pk].parent_id],
            rows[pk].level,
            rows[pk].order,
            rows[pk].nested_count,
            position.get(rows[pk].in_reply_to_id),
        )
        for pk in ids
    ]


def test_bulk_built_threads_have_the_fields_xtd_gives_the_same_comments(make_article, max_level):
    plan = plan_discussion(80, max_level=max_level, seed=7)
    built = create_comments(make_article(), plan, first_posted=START)
    saved = saved_one_by_one(make_article(), plan)
    assert shape(built) == shape(saved)
    # Deep enough to test the placement beside a comment as deep as it goes.
    assert max(planned.level for planned in plan) == max_level
    assert any(planned.answers is not None for planned in plan)


def test_a_single_long_thread_matches_xtd_too(make_article, max_level):
    plan = plan_thread(40, max_level=max_level, seed=2)
    built = create_comments(make_article(), plan, first_posted=START)
    assert shape(built) == shape(saved_one_by_one(make_article(), plan))
    assert {row[0] for row in shape(built)} == {0}


def test_every_reply_sits_under_an_existing_comment_of_its_thread_within_the_depth(
    make_article, max_level
):
    plan = plan_discussion(200, max_level=max_level, seed=1)
    ids = create_comments(make_article(), plan, first_posted=START)
    comments = Comment.objects.in_bulk(ids)
    top_level = [comment for comment in comments.values() if comment.level == 0]
    assert len(top_level) == 120  # 60 %
    for comment in comments.values():
        assert comment.level <= max_level
        if comment.level == 0:
            assert comment.thread_id == comment.parent_id == comment.pk
            continue
        parent = comments[comment.parent_id]
        assert parent.thread_id == comment.thread_id
        assert comment.level == parent.level + 1
        assert parent.submit_date < comment.submit_date
    for root in top_level:
        thread = sorted(
            (comment for comment in comments.values() if comment.thread_id == root.pk),
            key=lambda comment: comment.order,
        )
        assert [comment.order for comment in thread] == list(range(1, len(thread) + 1))
        assert thread[0] == root
        assert root.nested_count == len(thread) - 1


def test_the_built_discussion_and_thread_render_and_load_only_what_they_show(
    client, make_article, max_level
):
    article = make_article()
    create_comments(article, plan_discussion(150, max_level=max_level, seed=4), first_posted=START)
    with counting_comments_built() as built:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    shown = set().union(*comments_in_html(response.content.decode()).values())
    assert len(comments_in_html(response.content.decode())["in_threads"]) >= 25
    assert built["ids"] <= shown

    thread = create_comments(article, plan_thread(12, max_level=max_level), first_posted=START)
    url = reverse("comments:thread", args=[article.pk, thread[0]])
    fragment = client.get(f"{url}?fragment=1")
    assert fragment.status_code == 200
    assert comments_in_html(fragment.content.decode())["in_threads"] == set(thread)
