"""A few seconds' cache of whole public pages for anonymous visitors ("microcaching").

Most readers of a busy page are anonymous and see the same thing, so for ANONYMOUS_PAGE_CACHE_SECONDS
they get the page rendered for the first of them. What is left per request is Django's middleware: the
view, its queries and the templates are skipped. Only views marked with @anonymous_page_cache take part,
and only for visitors who carry no state: a session, a message or a participant cookie means the page
may be about them, so it is rendered afresh. People who are signed in, who are the only ones who can
change anything, always see fresh pages; anonymous visitors see a change within those seconds.

The CSRF token in a cached page (the language switcher's form) belongs to the visitor it was rendered
for: it is cut out when the page is stored and each visitor's own token is put in when it is served.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

# The only cookies a visitor may carry and still share a page: the CSRF cookie (its token is swapped
# per visitor) and the language cookie (the language is part of the key).
SHAREABLE_COOKIES = frozenset({settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME})
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
CSRF_PLACEHOLDER = b"\x00civiclab-csrf\x00"
KEPT_HEADERS = ("Content-Type", "Content-Language")


def now() -> float:
    return time.time()  # wall clock: with Redis, workers on several machines compare the same times


def anonymous_page_cache(view: Callable) -> Callable:
    """Marks a GET view whose page is the same for every anonymous visitor of the same URL."""
    view.anonymous_page_cache = True  # type: ignore[attr-defined]
    return view


def _key(request: HttpRequest) -> str:
    digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    htmx = "h" if request.headers.get("HX-Request") == "true" else "p"
    return f"civiclab:page:{request.get_host()}:{request.LANGUAGE_CODE}:{htmx}:{digest}"


def _shareable_request(request: HttpRequest) -> bool:
    return request.method == "GET" and set(request.COOKIES) <= SHAREABLE_COOKIES


def _shareable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Type", "").startswith("text/html")
    )


class AnonymousPageCacheMiddleware:
    """Last in MIDDLEWARE: a hit skips the view; the middleware above still runs on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_anonymous_page_key", None)
        if key is not None and _shareable_response(response):
            seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
            body = CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\3", response.content)
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            # Kept twice as long as it is fresh: see process_view.
            caches["pages"].set(key, (body, headers, now() + seconds), 2 * seconds)
            caches["pages"].delete(key + ":renewing")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        if not seconds or not getattr(view_func, "anonymous_page_cache", False):
            return None
        if not _shareable_request(request):
            return None
        key = _key(request)
        hit = caches["pages"].get(key)
        if hit is None:
            request._anonymous_page_key = key
            return None
        body, headers, fresh_until = hit
        # Once a page is older than the setting, one visitor renders it again while the others still
        # get the old copy for the moment it takes, instead of all of them rendering it at once.
        if now() >= fresh_until and caches["pages"].add(key + ":renewing", 1, seconds):
            request._anonymous_page_key = key
            return None
        if CSRF_PLACEHOLDER in body:
            body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(body)
        for name, value in headers.items():
            response[name] = value
        return response
