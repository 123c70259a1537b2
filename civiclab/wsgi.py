import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civiclab.settings")
application = get_wsgi_application()

# Import every view now, while the worker starts, rather than in its first requests: the URLconf pulls
# in the opinion map's numpy and scipy, about a second of work that would otherwise stall a voter.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (evaluated for its imports)
