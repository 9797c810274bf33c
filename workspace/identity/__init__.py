"""Logging in: OpenID Connect providers of the municipalities, second factors, sessions.

A sub-app of the core with its own label (``identity``) and migrations; it imports nothing
above the core. The protocol itself is django-allauth's; what this app adds is where allauth
falls short of the network's rules (``oidc.py``: every ID token's signature and nonce are
checked) and the network's own rules (who gets an account, which municipality, who must use a
second factor).
"""
