"""CSRF secrets and masks come from workspace.csrf_strings: Django's alphabet and length, every
character equally likely, never the same twice; the forms still pass CSRF."""

from collections import Counter

import pytest
from django.middleware import csrf
from django.test import Client

from workspace.csrf_strings import new_csrf_string


def test_django_draws_its_csrf_strings_here():
    assert csrf._get_new_csrf_string is new_csrf_string


def test_the_strings_are_djangos_shape_uniform_and_never_repeat():
    strings = [new_csrf_string() for _ in range(2000)]
    assert len(set(strings)) == len(strings)
    assert all(len(s) == csrf.CSRF_SECRET_LENGTH for s in strings)
    counts = Counter("".join(strings))
    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    # 64,000 characters over 62: about 1,032 each with a spread of about 32. Taking bytes
    # modulo 62 without rejecting the top ones would draw eight characters a quarter more
    # often than the rest, outside these bounds.
    expected = 2000 * csrf.CSRF_SECRET_LENGTH / len(csrf.CSRF_ALLOWED_CHARS)
    assert all(abs(n - expected) < 0.2 * expected for n in counts.values())


@pytest.mark.django_db
def test_a_form_sent_with_its_token_passes_and_without_it_is_refused():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/konto/anmelden/")
    token = page.context["csrf_token"]
    assert len(str(token)) == csrf.CSRF_TOKEN_LENGTH
    refused = Client(enforce_csrf_checks=True).post("/konto/anmelden/", {"login": "x"})
    assert refused.status_code == 403
    answered = browser.post(
        "/konto/anmelden/", {"csrfmiddlewaretoken": str(token), "login": "x", "password": "y"}
    )
    assert answered.status_code == 200  # the form again, with its message: CSRF passed
