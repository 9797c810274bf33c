"""Documented limits of what people may write, in characters (Unicode code points).

Every long text has one limit here; forms, services, imports and the co-editing room all read
it from this module, so the number a person is told is the number that is enforced. A text is
counted as it is stored: a line break a browser sends as CR LF counts two.

Which field has which limit (the model fields are listed in :data:`TEXT_LIMITS`, which the
services enforce on every save through :func:`workspace.validators.texts_check`):

``LONG_TEXT_MAX`` (500,000)
    living results (``projects.Result.body``, also the co-editing room and a take-over of
    upstream changes), guides (``guides.Guide.body``) and the legal pages
    (``workspace.LegalPage.body``: a privacy statement outgrows prose).
``PROSE_MAX`` (50,000)
    every other long text: project descriptions and criteria, the reason of a status change or
    of a lead exception, template prerequisites, adoption experience, offers and their
    decisions, meeting minutes, proposal and agreement texts and the parties' contributions,
    join-request messages and decisions, glossary definitions and synonyms, date
    descriptions and topic suggestions, newsletter editorials, items and review notes, the
    quote and the hiding reason of a comment, cohort and topic descriptions, accessibility
    feedback. A form's multi-line field that is no model field (a people list, a note) has
    this limit too.
``COMMENT_MAX`` (10,000)
    the body of a comment or reply (``discussion.Comment.body``).
``LINE_MAX`` (300)
    a one-line form field without a ``max_length`` of its own (the contributions in a
    proposal form, a person's user name, a hidden token). Fields with a ``max_length``
    (titles 200, names 150, …) keep it; the form tells it in the same words.

Not limited here: passwords (hashed whole, never shown; Django bounds the request size) and
texts only the system writes (:data:`SYSTEM_TEXTS`).

Every text a person writes also refuses control characters (see
:mod:`workspace.validators`); the imports of lead-project archives apply the same limits.
"""

from __future__ import annotations

#: living results, guides and legal pages: generous, a long handbook fits
LONG_TEXT_MAX = 500_000
#: comments, proposals, minutes, newsletter items, descriptions and other prose
PROSE_MAX = 50_000
#: the body of a comment or reply
COMMENT_MAX = 10_000
#: titles, names and other one-line fields without a model max_length
LINE_MAX = 300

#: every text field of a model that a person fills, by ``app_label.Model.field``
TEXT_LIMITS: dict[str, int] = {
    "projects.Result.body": LONG_TEXT_MAX,
    "guides.Guide.body": LONG_TEXT_MAX,
    "workspace.LegalPage.body": LONG_TEXT_MAX,
    "discussion.Comment.body": COMMENT_MAX,
    **dict.fromkeys(
        [
            "workspace.Cohort.description",
            "workspace.Topic.description",
            "workspace.BarrierReport.message",
            "projects.LeadProject.description",
            "projects.LeadProject.criterion_concerns_all",
            "projects.LeadProject.criterion_saves_resources",
            "projects.LeadProject.criterion_joint_impact",
            "projects.LeadProject.lead_exception_reason",
            "projects.ProjectActivity.reason",
            "projects.Template.prerequisites",
            "projects.Adoption.experience",
            "projects.Offer.message",
            "projects.Offer.decision_note",
            "steering.Meeting.minutes",
            "steering.Proposal.text",
            "steering.ProposalParty.contribution",
            "steering.Agreement.text",
            "steering.AgreementParty.contribution",
            "joining.JoinRequest.message",
            "joining.JoinRequest.decision_note",
            "guides.Term.definition",
            "guides.Term.synonyms",
            "dates.Appointment.description",
            "dates.TopicSuggestion.description",
            "newsletter.Issue.editorial",
            "newsletter.NewsItem.body",
            "newsletter.NewsItem.review_note",
            "discussion.Comment.quote",
            "discussion.Comment.hidden_reason",
        ],
        PROSE_MAX,
    ),
}

#: long texts only the system writes, from texts already checked or from its own messages
SYSTEM_TEXTS: frozenset[str] = frozenset(
    {
        "workspace.Notification.detail",
        "workspace.OutgoingMail.recipients",
        "workspace.OutgoingMail.subject",
        "workspace.OutgoingMail.last_error",
        "newsletter.Delivery.error",
        # the text read out of an uploaded file, for the search
        "projects.ResultAttachment.text",
        "guides.GuideAttachment.text",
    }
)
