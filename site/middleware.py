from django.db import InterfaceError, OperationalError
from django.shortcuts import render


class DatabaseUnavailableMiddleware:
    """A friendly Dutch 503 instead of a traceback when the database cannot be reached.

    A reader who was posting a comment gets the text back, so nothing typed is lost.
    Cached pages are served before the database is touched, so they keep working.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Connection failures, not programming errors, mean the database is down.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        text = request.POST.get("comment", "") if request.method == "POST" else ""
        response = render(request, "503.html", {"unsent_text": text}, status=503)
        response["Retry-After"] = "30"
        return response
