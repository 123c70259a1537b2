from django.http import HttpRequest


def posted(request: HttpRequest):
    """The data to bind a form to: the POST, even when empty (an empty POST must still be validated,
    which `request.POST or None` gets wrong), or None for other methods."""
    return request.POST if request.method == "POST" else None


def posted_with_files(request: HttpRequest):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)
