from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # A resident lands in their own city; everyone else on their account page.
        city = getattr(request.user, "home_city", None)
        return reverse("cities:home", args=[city.slug]) if city else reverse("accounts:home")
