"""Real OpenID providers on loopback for the single sign-on tests (tests/identity/oidc_provider.mjs).

Each provider listens on an address of its own in 127.0.0.0/8, so the browser keeps its
cookies apart from the app's (127.0.0.1) and from the other providers'. Keys are made fresh
for every run; the rogue provider's key carries the same key id as an honest one's.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPT = HERE / "oidc_provider.mjs"
CLIENT_SECRET = "geheimnis-der-tests-" + "x" * 20  # noqa: S105 – a test client's secret


def signing_key(kid: str) -> dict:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(private))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class OidcProvider:
    slug: str
    host: str
    email_domain: str
    key: dict
    mode: str = ""
    issuer: str = ""  # "" → its own URL
    extra_claims: dict = field(default_factory=dict)
    jwks_uri: str = ""
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def client_id(self) -> str:
        return f"klassenraum-{self.slug}"

    def start(self, *, app_url: str, log_dir: Path) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node fehlt: die Tests der Anmeldedienste brauchen Node 20")
        self.port = free_port(self.host)
        self.log = log_dir / f"oidc-{self.slug}.log"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(ROOT)),
            "NODE_PATH": str(ROOT / "node_modules"),
            "HOST": self.host,
            "PORT": str(self.port),
            "ISSUER": self.issuer,
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URIS": ",".join(
                f"{base}/konto/dienst/{self.slug}/zurueck/"
                for base in (app_url, app_url.replace("127.0.0.1", "localhost"))
            ),
            "POST_LOGOUT_REDIRECT_URIS": f"{app_url}/",
            "SIGNING_KEY": json.dumps(self.key),
            "EMAIL_DOMAIN": self.email_domain,
            "EXTRA_CLAIMS": json.dumps(self.extra_claims),
            "MODE": self.mode,
            "JWKS_URI": self.jwks_uri,
        }
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["node", str(SCRIPT)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(  # noqa: S310 – our own loopback provider
                    f"{self.url}/.well-known/openid-configuration", timeout=2
                ) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"Anmeldedienst {self.slug} ist nicht gestartet:\n{self.log.read_text(errors='replace')}"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()

    def registration(self, *, municipality: str = "", claim: str = "", button: str) -> str:
        """Python for ``manage.py shell -c``: the office configures this provider."""
        return (
            "from workspace.identity.models import IdentityProvider as P;"
            "from workspace.models import Municipality as M;"
            f"P.objects.update_or_create(slug={self.slug!r}, defaults=dict("
            f"name={self.slug!r}, issuer={self.url!r}, client_id={self.client_id!r},"
            f"client_secret={CLIENT_SECRET!r}, button_text={button!r},"
            f"municipality_claim={claim!r},"
            f"municipality=M.objects.get(slug={municipality!r}) if {municipality!r} else None))"
        )
