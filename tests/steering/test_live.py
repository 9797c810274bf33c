"""The meeting socket: the committee sees each vote's tally as it is cast; nobody else connects."""

import asyncio
import datetime

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from steering import services
from steering.models import Seat
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from workspace import services as workspace_services
from workspace.asgi import application
from workspace.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
SINCE = datetime.date(2024, 1, 1)


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections():
    yield
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def world():
    """Three voting towns, all present; a held meeting with one proposal. No agreement is
    adopted here: a transactional test must leave nothing the database refuses to delete."""
    office = UserFactory(username="buero")
    workspace_services.network_office_add(user=office)
    delegates = []
    for name in ("Arnsberg", "Olpe", "Soest"):
        town = MunicipalityFactory(name=name, slug=name.lower(), is_pioneer=True)
        person = MembershipFactory(municipality=town, user__display_name=f"Delegierte {name}").user
        services.seat_assign(by=office, person=person, municipality=town, starts_on=SINCE)
        delegates.append(person)
    outsider = MembershipFactory().user
    proposal = services.proposal_create(by=delegates[0], kind="free", title="F", text="B")
    meeting = services.meeting_create(
        by=office, title="Sitzung", starts_at=timezone.now(), place="Olpe"
    )
    item = services.agenda_item_add(by=office, meeting=meeting, proposal=proposal)
    services.meeting_invite(by=office, meeting=meeting, notify=False)
    services.meeting_open(by=office, meeting=meeting, present=Seat.objects.all())
    return {"meeting": meeting, "item": item, "delegates": delegates, "outsider": outsider}


@sync_to_async
def cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def socket_for(w, user=None):
    headers = [ORIGIN] + ([(b"cookie", await cookie(user))] if user else [])
    return WebsocketCommunicator(
        application, f"/ws/steuerkreis/sitzungen/{w['meeting'].pk}/", headers=headers
    )


async def next_event(socket, kind, timeout=2):
    async with asyncio.timeout(timeout):
        while True:
            message = await socket.receive_json_from(timeout)
            if message["event"] == kind:
                return message


async def test_only_the_committee_connects():
    w = await world()
    assert await (await socket_for(w)).connect() == (False, CLOSE_UNAUTHENTICATED)
    assert await (await socket_for(w, w["outsider"])).connect() == (False, CLOSE_FORBIDDEN)


async def test_each_vote_pushes_the_tally_after_commit():
    w = await world()
    socket = await socket_for(w, w["delegates"][2])
    assert (await socket.connect())[0]
    await next_event(socket, "welcome")

    @sync_to_async
    def vote(user, choice, *, roll_back=False):
        with transaction.atomic():
            services.vote_cast(by=user, item=w["item"], choice=choice)
            if roll_back:
                transaction.set_rollback(True)

    await vote(w["delegates"][0], "no", roll_back=True)
    await vote(w["delegates"][0], "yes")
    tally = await next_event(socket, "tally")
    # The rolled-back vote was never announced: the first tally is the committed one.
    assert (tally["item"], tally["yes"], tally["no"], tally["abstain"]) == (w["item"].pk, 1, 0, 0)
    await vote(w["delegates"][1], "abstain")
    tally = await next_event(socket, "tally")
    assert (tally["yes"], tally["no"], tally["abstain"]) == (1, 0, 1)
    assert tally["text"] == "TOP 1: 1 Ja, 0 Nein, 1 Enthaltungen."
    await socket.disconnect()
