import pytest
from django.urls import reverse


@pytest.mark.parametrize("path", ["/", "/aurora/", "/accounts/login/", "/api/v1/cities", "/nowhere/"])
def test_every_response_carries_the_security_headers(client, aurora, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, aurora_process, manifesto):
    for url in ["/", "/aurora/", reverse("network:manifesto", args=[manifesto.slug])]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and " onclick=" not in html and " style=" not in html
        assert "<style" not in html
