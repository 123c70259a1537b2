from django.http import HttpRequest


def posted(request: HttpRequest):
    """The data to bind a form to: the POST, even when empty (an empty POST must still be validated,
    which `request.POST or None` gets wrong), or None for other methods."""
    return request.POST if request.method == "POST" else None


def posted_with_files(request: HttpRequest):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def attach_errors(form, exc) -> None:
    """Puts an action's ValidationError on the form: on its fields when the form has them, otherwise as
    errors of the whole form, so a form posted again shows every reason next to what was typed."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
