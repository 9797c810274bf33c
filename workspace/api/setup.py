"""What the API machinery adds to the core when it starts (called by WorkspaceConfig.ready)."""

from __future__ import annotations


def _account_section(request, user):
    from workspace.api.models import AccessToken

    return {"count": AccessToken.objects.usable().filter(user=user).count()}


def connect() -> None:
    import workspace.api.schema  # noqa: F401 – registers the token's security scheme
    from workspace.api.models import AccessToken
    from workspace.api.services import access_tokens_revoke_all
    from workspace.hooks import register_offboarding, register_section
    from workspace.personal_data import DELETE_ROW, classify

    # An erased person's tokens go with the rest of their rows; the name they gave a token
    # may say something about them.
    classify(
        AccessToken,
        owner=("user",),
        personal={"name": DELETE_ROW},
        not_personal=(
            "id", "scope", "prefix", "digest", "created_at", "expires_at", "last_used_at",
            "revoked_at",
        ),
    )  # fmt: skip
    # Off-boarding closes the account (so tokens stop at once, see authentication.py) and
    # revokes every token, so they stay dead even if the account is opened again.
    register_offboarding(preview=lambda person: [], apply=access_tokens_revoke_all, order=900)
    from workspace.api.endpoints import register_endpoints

    register_endpoints()
    register_section(
        "account", template="api/_account_section.html", context=_account_section, order=50
    )
