from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    name = "network.discussion"
    label = "discussion"
    verbose_name = _("Diskussion")

    def ready(self) -> None:
        from network.discussion import sections
        from network.discussion.demo import seed_discussion
        from network.discussion.personal_data import classify_models
        from workspace.demo import register_seeder
        from workspace.hooks import register_section

        classify_models()
        register_section(
            "project_detail",
            template="discussion/_section.html",
            context=sections.project_discussion,
            order=50,
        )
        register_section(
            "result_detail",
            template="discussion/_section.html",
            context=sections.result_discussion,
            order=50,
        )
        register_seeder(seed_discussion, order=90)
        from network.discussion.api import register as register_api

        register_api()
