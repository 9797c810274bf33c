"""A socket outlives no right to read (issue 20, finding 1).

Whatever makes a page answer 404, 403 or the login redirect closes the open sockets of the
people it shuts out, at once: the socket gets a ``revoked`` message with the German reason,
then closes with 4403 (no access) or 4401 (no valid session), and nothing follows. Whoever
keeps access keeps their socket: after each change a probe sent through the channel layer
still reaches their socket (it is handled after the re-check, which would have closed it).
Every kind of live socket is here: project, result, meeting, bell and network presence (the
co-editing socket has tests of its own). Channels' WebsocketCommunicator runs the real
application in this process, on the real channel layer (Redis in the PostgreSQL run).
"""

import asyncio
import datetime
import json

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client
from django.utils import timezone

from projects import services
from projects.models import Result, TeamMembership
from steering import services as steering_services
from steering.models import Seat
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
from workspace import services as workspace_services
from workspace.asgi import application
from workspace.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from workspace.models import Membership, User
from workspace.permissions import NETWORK_OFFICE_GROUP
from workspace.personal_data import person_erase

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
PASSWORD = "geheim-und-lang-genug"  # tests.factories.UserFactory
SECRET = "Geheimnis"
SESSION_GONE = (
    "Sie sind nicht mehr angemeldet (abgemeldet, Sitzung abgelaufen, Passwort geändert oder "
    "Konto geschlossen). Live-Aktualisierungen gibt es erst nach einer neuen Anmeldung wieder."
)
PROJECT_GONE = (
    "Dieses Leitprojekt ist für Sie nicht mehr sichtbar. Die Live-Aktualisierung ist beendet."
)
RESULT_GONE = (
    "Dieses Ergebnis ist für Sie nicht mehr sichtbar. Die Live-Aktualisierung ist beendet."
)
MEETING_GONE = (
    "Diese Sitzung sieht nur der Steuerkreis; Sie gehören ihm nicht mehr an. "
    "Die Live-Aktualisierung ist beendet."
)


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections():
    yield
    await database_sync_to_async(connections.close_all)()


@pytest_asyncio.fixture
async def opened():
    """Every socket a test opens; disconnected at the end, as a browser would."""
    sockets: list[WebsocketCommunicator] = []
    yield sockets
    for socket in sockets:
        try:
            await socket.disconnect()
        except Exception:  # noqa: S110 – the application may be gone already
            pass


@pytest.fixture
def clock(monkeypatch):
    """``clock(days=1)`` moves this process's clock forward: terms, sessions and the day all
    ask ``timezone.now``. The event loop runs on monotonic time, which stays as it is."""
    real_now = timezone.now

    def move(**delta) -> None:
        monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(**delta))

    return move


# --- the world ---------------------------------------------------------------------------------


@sync_to_async
def world(visibility="network"):
    """A Menden-led project with one published result: Mehmet coordinates, Ida edits; Bea
    works for Brilon, a member town, outside the team. The committee: Dora (Olpe, open-ended
    term) and Lea (Soest, whose term ends today); one meeting. Buero is the network office."""
    office = UserFactory(username="buero", display_name="Büro")
    workspace_services.network_office_add(user=office)
    menden = MunicipalityFactory(name="Menden", slug="menden", is_pioneer=True)
    coordinator = MembershipFactory(municipality=menden, user__display_name="Mehmet Mertens").user
    editor = MembershipFactory(user__display_name="Ida Imhoff").user
    reader = MembershipFactory(
        municipality__name="Brilon", municipality__slug="brilon", user__display_name="Bea Berg"
    ).user
    project = services.project_create(
        by=coordinator,
        title="Plattform",
        summary="-",
        lead_municipality=menden,
        visibility=visibility,
    )
    services.team_member_add(project=project, by=coordinator, user=editor, role="editor")
    result = services.result_create(
        project=project, by=coordinator, title="Datenmodell", body="Jahr", maturity="tested"
    )
    seats = {}
    for name, person_name, ends_on in (
        ("Olpe", "Dora Delegierte", None),
        ("Soest", "Lea Letzte", timezone.localdate()),
    ):
        town = MunicipalityFactory(name=name, slug=name.lower(), is_pioneer=True)
        person = MembershipFactory(municipality=town, user__display_name=person_name).user
        seats[name] = steering_services.seat_assign(
            by=office,
            person=person,
            municipality=town,
            starts_on=datetime.date(2024, 1, 1),
            ends_on=ends_on,
        )
    meeting = steering_services.meeting_create(
        by=office, title="Sitzung", starts_at=timezone.now(), place="Olpe"
    )
    return {
        "office": office,
        "project": project,
        "result": result,
        "coordinator": coordinator,
        "editor": editor,
        "reader": reader,
        "delegate": seats["Olpe"].person,
        "leaving": seats["Soest"].person,
        "leaving_seat": seats["Soest"],
        "meeting": meeting,
    }


@sync_to_async
def log_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def path_of(w, kind: str) -> str:
    slug = w["project"].slug
    return {
        "project": f"/ws/leitprojekte/{slug}/",
        "result": f"/ws/leitprojekte/{slug}/ergebnisse/{w['result'].pk}/",
        "meeting": f"/ws/steuerkreis/sitzungen/{w['meeting'].pk}/",
        "bell": "/ws/benachrichtigungen/",
        "network": "/ws/netzwerk/",
    }[kind]


async def open_socket(opened, w, kind: str, client: Client, user) -> WebsocketCommunicator:
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    socket = WebsocketCommunicator(
        application,
        path_of(w, kind),
        headers=[ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())],
    )
    ok, code = await socket.connect()
    assert ok, (kind, code)
    opened.append(socket)
    first = await socket.receive_json_from(2)
    assert first["event"] == ("count" if kind == "bell" else "welcome")
    socket.kind, socket.user_id, socket.channel = kind, user.pk, first.get("socket")
    return socket


async def sockets_of(opened, w, user, *kinds: str, client: Client | None = None) -> list:
    client = client or await log_in(user)
    return [await open_socket(opened, w, kind, client, user) for kind in kinds]


async def closed_for(socket, code: int) -> str:
    """What ``socket`` gets until the server closes it; returns the reason it was given.

    Presence lists may come before the reason; nothing comes after it, and no message of
    the socket ever carries the secret written with or after the change."""
    reason = None
    async with asyncio.timeout(5):
        while True:
            output = await socket.receive_output(5)
            if output["type"] == "websocket.close":
                break
            assert reason is None, f"nach der Begründung noch: {output}"
            assert SECRET not in output["text"]
            message = json.loads(output["text"])
            if message["event"] == "revoked":
                reason = message["text"]
    assert (socket.kind, output["code"]) == (socket.kind, code)
    assert reason, f"{socket.kind}: geschlossen ohne Begründung"
    if not await socket.receive_nothing(0.2):
        pytest.fail(f"{socket.kind}: nach dem Schließen noch {await socket.receive_output()}")
    return reason


async def still_open(socket) -> None:
    """A probe sent now reaches ``socket``: it is handled after any re-check already on its
    way (one consumer handles its messages one after another), so the socket outlived it."""
    layer = get_channel_layer()
    if socket.kind == "bell":
        await layer.group_send(f"notifications-{socket.user_id}", {"type": "notifications.changed"})
        expected = "count"
    else:
        await layer.send(socket.channel, {"type": "page.push", "message": {"event": "probe"}})
        expected = "probe"
    async with asyncio.timeout(5):
        while True:
            output = await socket.receive_output(5)
            assert output["type"] == "websocket.send", f"{socket.kind} geschlossen: {output}"
            message = json.loads(output["text"])
            assert message["event"] != "revoked", message
            if message["event"] == expected:
                return


@sync_to_async
def save_secret(w, **fields) -> None:
    result = Result.objects.get(pk=w["result"].pk)
    services.result_update(
        result=result,
        by=w["coordinator"],
        base_revision=result.revision,
        body=f"{SECRET} {result.revision}",
        **fields,
    )


# --- a lead project and its results ---------------------------------------------------------


async def test_a_project_made_team_only_closes_the_sockets_of_everyone_outside(opened):
    w = await world(visibility="network")
    project, result = await sockets_of(opened, w, w["reader"], "project", "result")
    (team,) = await sockets_of(opened, w, w["editor"], "result")

    await sync_to_async(services.project_update)(
        project=w["project"], by=w["coordinator"], visibility="team"
    )
    await save_secret(w)

    assert await closed_for(project, CLOSE_FORBIDDEN) == PROJECT_GONE
    assert await closed_for(result, CLOSE_FORBIDDEN) == RESULT_GONE
    async with asyncio.timeout(5):
        while (message := await team.receive_json_from(5))["event"] != "version":
            pass
    assert SECRET in message["html"]


async def test_a_result_back_to_draft_closes_the_result_socket_of_everyone_outside(opened):
    w = await world(visibility="public")
    project, result = await sockets_of(opened, w, w["reader"], "project", "result")
    (team,) = await sockets_of(opened, w, w["editor"], "result")

    await save_secret(w, maturity="draft")

    assert await closed_for(result, CLOSE_FORBIDDEN) == RESULT_GONE
    # The project stays public: its page (and socket) stay, silent about the draft.
    await still_open(project)
    await still_open(team)


async def test_a_team_role_ending_closes_the_sockets_of_a_team_only_project(opened):
    w = await world(visibility="team")
    project, result, bell = await sockets_of(opened, w, w["editor"], "project", "result", "bell")
    (coordinator,) = await sockets_of(opened, w, w["coordinator"], "result")

    @sync_to_async
    def remove():
        membership = TeamMembership.objects.get(project=w["project"], user=w["editor"])
        services.team_member_remove(membership=membership, by=w["coordinator"])

    await remove()
    await save_secret(w)

    assert await closed_for(project, CLOSE_FORBIDDEN) == PROJECT_GONE
    assert await closed_for(result, CLOSE_FORBIDDEN) == RESULT_GONE
    await still_open(bell)  # her account and session are as they were
    await still_open(coordinator)


async def test_leaving_the_network_office_closes_what_only_the_office_saw(opened):
    w = await world(visibility="team")
    (result,) = await sockets_of(opened, w, w["office"], "result")

    await sync_to_async(
        lambda: w["office"].groups.remove(Group.objects.get(name=NETWORK_OFFICE_GROUP))
    )()

    assert await closed_for(result, CLOSE_FORBIDDEN) == RESULT_GONE


# --- memberships, off-boarding, the account ---------------------------------------------------


@sync_to_async
def end_membership_in_brilon(w, *, keep_another: bool) -> None:
    if keep_another:
        # She also works for a town outside the network: her account stays, network rights go.
        MembershipFactory(user=w["reader"], municipality__is_member=False)
    workspace_services.membership_end(
        membership=Membership.objects.get(user=w["reader"], municipality__slug="brilon"),
        by=w["office"],
    )


async def test_a_membership_ending_closes_sockets_of_network_projects(opened):
    w = await world(visibility="network")
    result, bell, network = await sockets_of(opened, w, w["reader"], "result", "bell", "network")

    await end_membership_in_brilon(w, keep_another=True)
    await save_secret(w)

    assert await closed_for(result, CLOSE_FORBIDDEN) == RESULT_GONE
    await still_open(bell)
    await still_open(network)


async def test_a_membership_ending_hides_names_on_a_socket_that_stays(opened):
    """A public project stays readable, but the names of the network are for members only:
    the next team message names the newcomer's town, as the page now does."""
    w = await world(visibility="public")
    (project,) = await sockets_of(opened, w, w["reader"], "project")

    await end_membership_in_brilon(w, keep_another=True)

    @sync_to_async
    def add_newcomer():
        newcomer = MembershipFactory(
            municipality__name="Hemer", municipality__slug="hemer", user__display_name="Nina Neu"
        ).user
        services.team_member_add(
            project=w["project"], by=w["coordinator"], user=newcomer, role="observer"
        )

    await add_newcomer()
    async with asyncio.timeout(5):
        while (message := await project.receive_json_from(5))["event"] != "notice":
            assert message["event"] != "revoked"
    assert message["text"] == "Mitarbeiter*in der Stadt Hemer gehört jetzt zum Team."


async def test_off_boarding_closes_every_socket_of_the_person(opened):
    w = await world(visibility="team")
    sockets = await sockets_of(opened, w, w["editor"], "project", "result", "bell", "network")
    (coordinator,) = await sockets_of(opened, w, w["coordinator"], "result")

    await sync_to_async(
        lambda: workspace_services.membership_end(
            membership=Membership.objects.get(user=w["editor"]), by=w["office"]
        )
    )()
    await save_secret(w)

    for socket in sockets:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE
    await still_open(coordinator)


async def test_deactivating_the_account_closes_every_socket(opened):
    w = await world(visibility="network")
    sockets = await sockets_of(opened, w, w["reader"], "project", "result", "bell", "network")

    @sync_to_async
    def deactivate():
        # As the administration does it: the flag, then save.
        user = User.objects.get(pk=w["reader"].pk)
        user.is_active = False
        user.save()

    await deactivate()
    await save_secret(w)

    for socket in sockets:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE


async def test_erasure_closes_every_socket(opened):
    w = await world(visibility="network")
    sockets = await sockets_of(opened, w, w["reader"], "result", "bell", "network")
    (others,) = await sockets_of(opened, w, w["coordinator"], "result")

    await sync_to_async(lambda: person_erase(User.objects.get(pk=w["reader"].pk)))()
    await save_secret(w)

    for socket in sockets:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE
    await still_open(others)


async def test_logging_out_closes_the_sockets_of_that_session_only(opened):
    w = await world(visibility="network")
    here, elsewhere = await log_in(w["reader"]), await log_in(w["reader"])
    leaving = await sockets_of(opened, w, w["reader"], "result", "bell", "network", client=here)
    staying = await sockets_of(opened, w, w["reader"], "result", "bell", client=elsewhere)

    response = await sync_to_async(here.post)("/konto/abmelden/")
    assert response.status_code == 302

    for socket in leaving:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE
    for socket in staying:
        await still_open(socket)


async def test_a_password_change_closes_the_sockets_of_the_other_sessions(opened):
    w = await world(visibility="network")
    here, elsewhere = await log_in(w["reader"]), await log_in(w["reader"])
    other = await sockets_of(opened, w, w["reader"], "result", "bell", "network", client=elsewhere)
    (coordinator,) = await sockets_of(opened, w, w["coordinator"], "result")

    response = await sync_to_async(here.post)(
        "/konto/passwort/",
        {
            "old_password": PASSWORD,
            "new_password1": "ein-ganz-neues-Passwort-7",
            "new_password2": "ein-ganz-neues-Passwort-7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    for socket in other:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE
    await still_open(coordinator)


async def test_ending_every_session_of_a_person_closes_every_socket(opened):
    w = await world(visibility="network")
    sockets = await sockets_of(opened, w, w["reader"], "result", "bell", "network")

    await sync_to_async(workspace_services.sessions_end)(user=w["reader"])

    for socket in sockets:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE


async def test_an_expired_session_closes_every_socket(opened, clock):
    w = await world(visibility="network")
    sockets = await sockets_of(opened, w, w["reader"], "result", "bell", "network")

    clock(seconds=settings.SESSION_COOKIE_AGE + 60)

    for socket in sockets:
        assert await closed_for(socket, CLOSE_UNAUTHENTICATED) == SESSION_GONE


# --- the committee ----------------------------------------------------------------------------


async def test_a_seat_ended_by_the_office_closes_the_meeting_socket(opened):
    w = await world()
    (leaving,) = await sockets_of(opened, w, w["leaving"], "meeting")
    staying = await sockets_of(opened, w, w["delegate"], "meeting", "bell")

    await sync_to_async(steering_services.seat_end)(
        by=w["office"],
        seat=w["leaving_seat"],
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    assert await closed_for(leaving, CLOSE_FORBIDDEN) == MEETING_GONE
    for socket in staying:
        await still_open(socket)


async def test_a_term_ending_by_date_closes_the_meeting_socket_at_the_change_of_day(opened, clock):
    """No write happens: Lea's term simply ends tonight. The hub notices the new day (in
    Berlin) and has every socket check itself, long before LIVE_RECHECK_SECONDS."""
    assert settings.LIVE_RECHECK_SECONDS >= 60
    w = await world()
    (leaving,) = await sockets_of(opened, w, w["leaving"], "meeting")
    (staying,) = await sockets_of(opened, w, w["delegate"], "meeting")
    await still_open(leaving)  # her term still runs today

    clock(days=1)

    assert await closed_for(leaving, CLOSE_FORBIDDEN) == MEETING_GONE
    await still_open(staying)


async def test_a_term_ended_without_any_message_closes_within_the_recheck_interval(
    opened, settings
):
    """The latest bound: a change that no service announced (made in the database directly)
    is noticed within LIVE_RECHECK_SECONDS, without waiting for the next day."""
    settings.LIVE_RECHECK_SECONDS = 1
    w = await world()
    (leaving,) = await sockets_of(opened, w, w["leaving"], "meeting")

    await sync_to_async(
        lambda: Seat.objects.filter(pk=w["leaving_seat"].pk).update(
            ends_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    )()

    assert await closed_for(leaving, CLOSE_FORBIDDEN) == MEETING_GONE


# --- nobody else loses anything ---------------------------------------------------------------


async def test_whoever_keeps_access_keeps_the_socket(opened, clock):
    """Changes that take nothing away: a project opened wider, a role changed within the
    team, a result archived (archived results stay readable), a seat for someone else, a new
    day. Every socket outlives every one of them."""
    w = await world(visibility="network")
    sockets = [
        *await sockets_of(opened, w, w["reader"], "project", "result", "bell", "network"),
        *await sockets_of(opened, w, w["editor"], "project", "result", "bell"),
        *await sockets_of(opened, w, w["delegate"], "meeting"),
    ]

    @sync_to_async
    def changes():
        services.project_update(project=w["project"], by=w["coordinator"], visibility="public")
        services.team_member_change_role(
            membership=TeamMembership.objects.get(project=w["project"], user=w["editor"]),
            by=w["coordinator"],
            role="observer",
        )
        result = Result.objects.get(pk=w["result"].pk)
        services.result_archive(result=result, by=w["coordinator"], base_revision=result.revision)
        town = MunicipalityFactory(name="Arnsberg", slug="arnsberg", is_pioneer=True)
        steering_services.seat_assign(
            by=w["office"],
            person=MembershipFactory(municipality=town).user,
            municipality=town,
            starts_on=timezone.localdate(),
        )

    await changes()
    clock(hours=25)
    await asyncio.sleep(1.5)  # the hub's tick after the change of day

    for socket in sockets:
        await still_open(socket)
