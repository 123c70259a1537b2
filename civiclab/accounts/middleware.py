from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in person sees their chosen language, unless they just picked another one with the
    language switcher (which sets the language cookie). Runs after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
