from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def committee_decides(project) -> bool:
    """Every lead project's agreement steps are the steering committee's decision."""
    return True


class SteeringConfig(AppConfig):
    name = "steering"
    verbose_name = _("Steuerkreis")

    def ready(self) -> None:
        from steering import offboarding
        from steering.personal_data import classify_models
        from workspace.hooks import register_offboarding

        classify_models()
        register_offboarding(preview=offboarding.preview, apply=offboarding.apply, order=20)
        from projects.lifecycle import register_agreement_check
        from steering import sections
        from steering.demo import seed_steering
        from workspace.demo import register_seeder
        from workspace.hooks import register_section

        # The committee decides the lifecycle's agreement steps of every lead project: only its
        # adopted agreement takes them (projects.lifecycle names which steps those are).
        register_agreement_check(committee_decides)
        register_section(
            "project_detail",
            template="steering/_project_agreements.html",
            context=sections.project_agreements,
            order=20,
        )
        register_section(
            "result_detail",
            template="steering/_result_approvals.html",
            context=sections.result_approvals,
            order=20,
        )
        register_section(
            "account",
            template="steering/_account_seats.html",
            context=sections.account_seats,
            order=20,
        )
        # Between the projects (10) and their results (20): the held meeting starts Menden's.
        register_seeder(seed_steering, order=15)
        from steering.permissions import can_chair
        from workspace.identity.second_factor import register_second_factor_rule

        # Whoever chairs the committee (or deputises) must log in with a second factor.
        register_second_factor_rule(can_chair)
        from steering.permissions import active_seat_annotation
        from workspace.hooks import register_user_annotations

        # Whether a request's person holds a seat comes with the person (workspace/backends.py).
        register_user_annotations(active_seat_annotation)
        from steering.api import register as register_api

        register_api()
        from steering.documents import register as register_documents

        # A lead project's dossier lists the committee's agreements (projects.documents).
        register_documents()
