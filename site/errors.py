"""The page for a form that fails Django's CSRF check, in the site's style and language.

Django's own page is English-only, unstyled and leads nowhere. Readers meet it when their
browser blocks or cleared the site's cookies, or a form stayed open across a deploy: they
get the text they typed back, and a way to go on.
"""

from django.shortcuts import render


def _from_this_site(request):
    """A browser names the page a form came from; another site's form gets no echo here."""
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.get_host()}"


def csrf_failure(request, reason=""):
    text = ""
    if request.method == "POST" and _from_this_site(request):
        text = request.POST.get("comment", "")
    return render(request, "403_csrf.html", {"unsent_text": text}, status=403)
