"""Who may open which OParl URL: everyone reads, nobody writes, and everyone reads the same.

OParl publishes the anonymous view of the committee (steering.public) whoever asks: a logged-in
delegate or the office gets exactly the JSON a visitor gets, never more. Writes do not exist
(405). The rows are data, not derived from the views; one world serves every cell.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from steering import services
from steering.models import Proposal
from tests.matrix import NOPE, OK, cells_for, check_answer, client_for
from tests.steering.conftest import open_meeting

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "committee", "office")
cells = cells_for(ROLES)
EVERYONE = cells(OK, OK, OK, OK)
NOBODY = cells(NOPE, NOPE, NOPE, NOPE)

# fmt: off
MATRIX = {
    "oparl:system":       {"GET": EVERYONE, "POST": NOBODY},
    "oparl:list":         {"GET": EVERYONE, "POST": NOBODY},
    "oparl:object":       {"GET": EVERYONE, "POST": NOBODY},
    "oparl:file-content": {"GET": EVERYONE, "POST": NOBODY},
}
# fmt: on


@pytest.fixture
def held(committee, proposed_project, outsider):
    proposal = services.proposal_create(
        by=committee.delegate,
        kind=Proposal.Kind.FREE,
        title="Datenplattform beschließen",
        text="Beschluss.",
        project=proposed_project,
    )
    meeting, [item] = open_meeting(committee, proposal)
    for slug in ("arnsberg", "soest"):
        services.vote_cast(by=committee.delegates[slug], item=item, choice="yes")
    services.vote_close(by=committee.chair, item=item)
    services.minutes_approve(by=committee.chair, meeting=meeting, minutes="Beschlossen.")
    users = {
        "anonymous": None,
        "member": outsider,
        "committee": committee.delegate,
        "office": committee.office,
    }
    urls = {
        "oparl:system": reverse("oparl:system"),
        "oparl:list": reverse("oparl:list", kwargs={"segment": "meeting"}),
        "oparl:object": reverse("oparl:object", kwargs={"segment": "meeting", "ident": meeting.pk}),
        "oparl:file-content": reverse(
            "oparl:file-content", kwargs={"ident": f"protokoll-{meeting.pk}"}
        ),
    }
    return users, urls


def test_matrix(held):
    users, urls = held
    for url_name, row in MATRIX.items():
        url = urls[url_name]
        answers = {}
        for method, expected_cells in row.items():
            for role, expected in expected_cells.items():
                client = client_for(users[role])
                response = client.get(url) if method == "GET" else client.post(url, {})
                check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
                if method == "GET":
                    answers[role] = response.content
        # The same bytes for everyone: nothing of a login reaches OParl.
        assert len(set(answers.values())) == 1, url_name


def test_matrix_has_a_cell_for_every_role():
    for row in MATRIX.values():
        assert set(row) == {"GET", "POST"}
        assert all(tuple(cells_) == ROLES for cells_ in row.values())
