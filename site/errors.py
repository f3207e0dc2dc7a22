"""The page for a form that fails Django's CSRF check, in the site's style and language.

Django's own page is English-only, unstyled and leads nowhere. Readers meet it when their
browser blocks or cleared the site's cookies, or a form stayed open across a deploy: they
get the text they typed back, and a way to go on.
"""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    text = request.POST.get("comment", "") if request.method == "POST" else ""
    return render(request, "403_csrf.html", {"unsent_text": text}, status=403)
