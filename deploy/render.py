"""Render the nginx site and the systemd units for one checkout.

    python deploy/render.py OUT_DIR [--server-name klassenraum.example.org] [--user klassenraum] ...

Every ``@NAME@`` in the ``*.in`` files below ``deploy/`` is replaced; a placeholder left over
is an error, so a template and this script cannot drift apart silently. ``make serve`` and the
tests render with loopback ports; an operator renders once with the machine's paths and copies
the files to ``/etc/nginx/sites-available/`` and ``/etc/systemd/system/``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
CHECKOUT = DEPLOY.parent
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def values(options: argparse.Namespace, out: Path) -> dict[str, str]:
    def servers(addresses: list[str]) -> str:
        return "\n".join(f"    server {address};" for address in addresses)

    https_suffix = "" if options.https_port == 443 else f":{options.https_port}"
    return {
        "CHECKOUT": str(options.checkout),
        "VENV": str(options.venv),
        "USER": options.user,
        "GROUP": options.group or options.user,
        "ENV_FILE": str(options.env_file),
        "MEDIA_ROOT": str(options.media_root),
        "STATIC_ROOT": str(options.static_root),
        "RUNTIME_DIR": str(options.runtime_dir),
        "SERVER_NAME": options.server_name,
        "HTTP_LISTEN": f"{options.listen}:{options.http_port}",
        "HTTPS_LISTEN": f"{options.listen}:{options.https_port}",
        "HTTPS_PORT_SUFFIX": https_suffix,
        "TLS_CERTIFICATE": str(options.certificate),
        "TLS_CERTIFICATE_KEY": str(options.certificate_key),
        "HTTP_UPSTREAMS": servers(options.http_upstream),
        "WS_UPSTREAMS": servers(options.ws_upstream),
        "HTTP_BIND": options.http_bind,
        "IMPORT_MAX_BODY": options.import_max_body,
        "INCLUDE_DIR": str(options.nginx_include_dir or out / "nginx"),
        # Only a master started as root switches users; its workers must read the checkout.
        "NGINX_USER": f"user {options.nginx_user};" if options.nginx_user else "",
    }


def render(text: str, filled: dict[str, str], name: str) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in filled:
            raise SystemExit(f"{name}: unbekannter Platzhalter @{key}@")
        return filled[key]

    return PLACEHOLDER.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--checkout", type=Path, default=CHECKOUT)
    parser.add_argument("--venv", type=Path, default=CHECKOUT / ".venv")
    parser.add_argument("--user", default="klassenraum")
    parser.add_argument("--group", default="")
    parser.add_argument("--env-file", type=Path, default=Path("/etc/klassenraum/klassenraum.env"))
    parser.add_argument("--media-root", type=Path, default=Path("/var/lib/klassenraum/media"))
    parser.add_argument("--static-root", type=Path, default=CHECKOUT / "staticfiles")
    parser.add_argument("--runtime-dir", type=Path, default=Path("/run/klassenraum"))
    parser.add_argument("--server-name", default="klassenraum.example.org")
    parser.add_argument("--listen", default="0.0.0.0")  # noqa: S104 – the public site
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument(
        "--certificate",
        type=Path,
        default=Path("/etc/letsencrypt/live/klassenraum.example.org/fullchain.pem"),
    )
    parser.add_argument(
        "--certificate-key",
        type=Path,
        default=Path("/etc/letsencrypt/live/klassenraum.example.org/privkey.pem"),
    )
    parser.add_argument("--http-upstream", action="append", default=None)
    parser.add_argument("--ws-upstream", action="append", default=None)
    parser.add_argument("--http-bind", default="127.0.0.1:8001")
    parser.add_argument("--import-max-body", default="200m")
    parser.add_argument(
        "--nginx-include-dir",
        type=Path,
        default=None,
        help="wo klassenraum-proxy.conf installiert wird, z. B. /etc/nginx/snippets",
    )
    parser.add_argument("--nginx-user", default="", help="für deploy/local: user-Direktive")
    options = parser.parse_args(argv)
    options.http_upstream = options.http_upstream or ["127.0.0.1:8001"]
    options.ws_upstream = options.ws_upstream or ["127.0.0.1:8002", "127.0.0.1:8003"]

    out: Path = options.out.resolve()
    filled = values(options, out)
    for template in sorted(DEPLOY.rglob("*.in")):
        target = out / template.relative_to(DEPLOY).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(), filled, template.name))
    print(f"Gerendert nach {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
