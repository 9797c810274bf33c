"""The Atom feed of published issues (drafts never appear)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from network.newsletter import selectors
from network.newsletter.models import Issue
from workspace.markdown import render_markdown


class IssueFeed(Feed):
    feed_type = Atom1Feed
    title = _("Schülerzeitung – Smart Cities: Schule")
    subtitle = _("Die Ausgaben des Newsletters des Netzwerks „Smart Cities: Schule“.")

    def link(self) -> str:
        return reverse("newsletter:archive")

    def items(self):
        return selectors.published_issues()[:20]

    def item_title(self, item: Issue) -> str:
        return str(item)

    def item_description(self, item: Issue) -> str:
        return render_markdown(item.editorial, post_process=False)  # no glossary links in feeds

    def item_pubdate(self, item: Issue):
        return item.published_at

    def item_updateddate(self, item: Issue):
        return item.published_at
