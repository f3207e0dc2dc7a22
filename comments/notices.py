"""Messages shown beside the comment they are about (posted, changed, recommended), on
whichever page shows it, instead of at the top of the page."""


def beside(comment):
    """The message's tags that place it beside the comment on the page it lands on."""
    return f"beside-comment comment-{comment.pk}"


def notices_beside_comments(messages):
    """{comment id: [(level, text)]} for the messages meant to show beside a comment
    (tagged "comment-<id>", as posting one does)."""
    notices = {}
    for message in messages or ():
        if "beside-comment" not in message.extra_tags.split():
            continue
        for tag in message.extra_tags.split():
            comment_id = tag.removeprefix("comment-")
            if comment_id != tag and comment_id.isdigit():
                notices.setdefault(int(comment_id), []).append((message.level_tag, message.message))
    return notices
