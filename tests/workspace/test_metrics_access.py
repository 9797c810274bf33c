"""/metriken/ answers the allowed networks and the token, nobody else, whoever is logged in."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["anonymous", "outsider", "office"])
def test_outside_the_allowed_networks_everyone_gets_404(as_user, outsider, office, settings, who):
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    client = as_user({"anonymous": None, "outsider": outsider, "office": office}[who])
    assert client.get("/metriken/").status_code == 404
    # A forged forwarding header from an untrusted peer changes nothing.
    assert client.get("/metriken/", HTTP_X_FORWARDED_FOR="192.0.2.9").status_code == 404


def test_the_token_opens_it_from_anywhere(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    settings.METRICS_TOKEN = "k" * 40
    assert client.get("/metriken/", HTTP_AUTHORIZATION="Bearer " + "x" * 40).status_code == 404
    answer = client.get("/metriken/", HTTP_AUTHORIZATION="Bearer " + "k" * 40)
    assert answer.status_code == 200
    assert b"klassenraum_http_requests_total" in answer.content


def test_behind_a_trusted_proxy_the_forwarded_client_decides(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/metriken/", HTTP_X_FORWARDED_FOR="192.0.2.9").status_code == 200
    assert client.get("/metriken/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 404


def test_a_request_is_counted_under_its_view(client):
    before = client.get("/metriken/").content.decode()
    client.get("/healthz")
    after = client.get("/metriken/").content.decode()

    def count(text):
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("klassenraum_http_requests_total{") and 'view="healthz"' in line
        )

    assert count(after) == count(before) + 1
