"""National scale (issue 27): every page, the main pages' throughput and a result's save, measured
on the demo world and on a generated world (``manage.py seed_scale``) in one run.

Usage::

    make bench-scale SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kr_scale_big
    python bench/scale.py --national postgres://…/kr_scale_big [--demo postgres://…/kr_demo]
        [--rounds 20] [--parts pages,write,throughput] [--only REGEX] [--out FILE.md]

Without ``--demo`` (``DEMO_DATABASE_URL``) a throw-away database next to the national one gets the
demo world (``seed_demo``) and is dropped afterwards. Both databases are only read: a result's
save is rolled back after it was timed.

- **Pages** (Done-when 2): every GET URL of the URL map, filled with real objects picked by query
  (so any world works), as visitor, member, team member, committee member and the office;
  whatever a role reaches (200) is measured in-process with Django's test client, DEBUG off:
  median and p95 of ``--rounds`` requests, the query count of a request with empty caches, and
  that request's slowest query with ``EXPLAIN (ANALYZE, BUFFERS)``. Every other SELECT of the
  page is planned too, and a sequential scan of a table that grows with the network is flagged.
  A page slower than a second on its first request is timed over five requests only.
- **Write** (Done-when 5): ``projects.services.result_update`` on the result with the most versions
  of the team member's project, each save inside a transaction that is rolled back; the same
  10 KB text in both worlds, so only the tables' size differs.
- **Throughput** (Done-when 3): bench/throughput.py's main pages under gunicorn with the
  repository's gunicorn.conf.py, both worlds served at once, wrk on this machine, runs alternating
  between the worlds; visitor and the team member (a session of the same kind force_login makes).

The Markdown table goes to ``bench/results/scale-<date>.md`` and to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import throughput  # noqa: E402

ROOT = throughput.ROOT
RESULTS = ROOT / "bench" / "results"
ROLES = ("visitor", "member", "team", "committee", "office")
ROLE_NAMES = {
    "visitor": "Besuch",
    "member": "Mitglied",
    "team": "Team",
    "committee": "Steuerkreis",
    "office": "Geschäftsstelle",
}
SLOW_FIRST_MS = 1000  # a page this slow on its first request gets five timed requests only
GOAL_P95_MS = 200
GOAL_RATIO = 2.0
GOAL_WRITE_RATIO = 1.5
GOAL_THROUGHPUT_SHARE = 0.5
# Tables that stay small however far the network grows (may be scanned). Any other table with
# at least GROWING_ROWS rows in the larger world counts as growing.
REFERENCE_TABLES = {
    "auth_group",
    "auth_permission",
    "auth_group_permissions",
    "django_content_type",
    "django_site",
    "django_migrations",
    "workspace_cohort",
    "workspace_topic",
    "workspace_state",
    "workspace_district",
    "workspace_legalpage",
    "steering_committee",
    "socialaccount_socialapp",
}
GROWING_ROWS = 1000
TODAY = datetime.datetime.now(datetime.UTC).date()


# --- the child: one world, in-process ----------------------------------------------------------


def child_main(database_url: str, out: Path, rounds: int, parts: set[str], only: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "workspace.settings"
    import django

    django.setup()
    from django.contrib.auth.signals import user_logged_in
    from django.http import HttpRequest

    from workspace.identity.second_factor import mark_session_verified

    def forced_login_has_second_factor(sender, request, user, **kwargs) -> None:
        # As in tests/conftest.py: force_login stands for a complete login (the office and the
        # committee's chairs need a second factor); a real login never has a bare HttpRequest.
        if type(request) is HttpRequest:
            mark_session_verified(request, user=user, kind="bench")

    user_logged_in.connect(forced_login_has_second_factor, weak=False)
    # Refusals (403, 404) are answers here, not news; a 500 stands in the table.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    world = World()
    report: dict = {"database": urlsplit(database_url).path.lstrip("/"), "world": world.describe()}
    report["tables"] = table_rows()
    if "pages" in parts:
        report["pages"] = measure_pages(world, rounds, only)
    if "write" in parts:
        report["write"] = measure_write(world, rounds)
    if "throughput" in parts:
        report["cookie"] = session_cookie(world.users["team"])
    out.write_text(json.dumps(report, indent=1))


class World:
    """The accounts and example objects of whichever world the database holds, by query."""

    def __init__(self) -> None:
        from django.db.models import Count, Q

        from network.dates.models import Appointment
        from network.guides.models import Guide
        from projects.models import Adoption, LeadProject, Result, TeamMembership, Visibility
        from steering.models import Seat
        from workspace.models import User
        from workspace.permissions import NETWORK_OFFICE_GROUP

        active = User.objects.filter(is_active=True).order_by("pk")
        office = active.filter(groups__name=NETWORK_OFFICE_GROUP).first()
        seat = Seat.objects.active().filter(municipality__isnull=False).order_by("pk").first()
        lead = (
            TeamMembership.objects.filter(
                role=TeamMembership.Role.COORDINATOR,
                project__visibility=Visibility.PUBLIC,
                user__is_active=True,
            )
            .exclude(project__status=LeadProject.Status.COMPLETED)
            .annotate(results=Count("project__results"))
            .filter(results__gt=0)
            .order_by("pk")
            .select_related("project__lead_municipality", "user")
            .first()
        )
        member = (
            active.filter(
                memberships__ended_on__isnull=True,
                memberships__municipality__is_member=True,
                team_memberships__isnull=True,
                committee_seats__isnull=True,
            )
            .exclude(groups__name=NETWORK_OFFICE_GROUP)
            .first()
        )
        self.users = {
            "visitor": None,
            "member": member,
            "team": lead.user,
            "committee": seat.person if seat else None,
            "office": office,
        }
        self.project = lead.project
        self.result = (
            Result.objects.filter(project=self.project, is_archived=False)
            .filter(~Q(maturity=Result.Maturity.DRAFT))
            .order_by("-revision", "pk")
            .first()
        )
        self.adoption = Adoption.objects.select_related("municipality").order_by("pk").first()
        self.guide = (
            Guide.objects.filter(status=Guide.Status.PUBLISHED).order_by("-revision", "pk").first()
        )
        self.appointment = Appointment.objects.upcoming().first()

    def describe(self) -> dict:
        return {
            "accounts": {
                role: user.username if user else None for role, user in self.users.items()
            },
            "project": self.project.slug,
            "result": self.result.pk if self.result else None,
            "result_versions": self.result.revision if self.result else None,
        }

    def kwargs(self) -> dict[str, dict | None]:
        """Example arguments per URL name (``None``: this world has no such object)."""
        from network.dates.models import FeedToken
        from network.discussion.models import Comment
        from network.guides.models import GuideAttachment, Term
        from network.joining.models import JoinRequest
        from network.newsletter.models import Issue, NewsItem
        from projects.models import Offer, ResultAttachment, TeamMembership
        from steering.models import AgendaItem, Agreement, Meeting, Proposal, PublishedObject, Seat
        from steering.oparl.publish import SEGMENTS
        from workspace.models import Cohort, Topic

        def first(queryset, build):
            found = queryset.order_by("pk").first()
            return build(found) if found is not None else None

        project = {"slug": self.project.slug}
        result = {**project, "result_id": self.result.pk} if self.result else None
        municipality = {"slug": self.project.lead_municipality.slug}
        agreement = first(Agreement.objects.all(), lambda a: {"number": a.number})
        meeting = first(
            Meeting.objects.filter(pk__in=Agreement.objects.values("meeting")),
            lambda m: {"meeting_id": m.pk},
        ) or first(Meeting.objects.all(), lambda m: {"meeting_id": m.pk})
        item = first(
            AgendaItem.objects.filter(meeting_id=(meeting or {}).get("meeting_id")),
            lambda i: {**meeting, "item_id": i.pk},
        )
        copy = (
            {"municipality": self.adoption.municipality.slug, "result_id": self.adoption.copy_id}
            if self.adoption
            else None
        )
        attachment = first(
            ResultAttachment.objects.filter(result=self.result),
            lambda a: {**result, "attachment_id": a.pk},
        )
        guide = {"slug": self.guide.slug} if self.guide else None
        published = first(
            PublishedObject.objects.exclude(kind="File"),
            lambda o: {"segment": SEGMENTS[o.kind], "ident": o.ident},
        )
        examples = {
            "municipality-detail": municipality,
            "staff-list": municipality,
            "joining:invite": municipality,
            "password_reset_confirm": {"uidb64": "MQ", "token": "ungueltig-0123"},
            "templates:detail": (
                {"template_id": self.adoption.template_id} if self.adoption else None
            ),
            "templates:offer": first(
                Offer.objects.select_related("adoption"),
                lambda o: {"template_id": o.adoption.template_id, "offer_id": o.pk},
            ),
            "projects:team-role": first(
                TeamMembership.objects.filter(project=self.project),
                lambda m: {**project, "member_id": m.pk},
            ),
            "projects:attachment": attachment,
            "steering:seat-end": first(Seat.objects.active(), lambda s: {"seat_id": s.pk}),
            "steering:proposal": first(Proposal.objects.all(), lambda p: {"proposal_id": p.pk}),
            "steering:vote": item,
            "oparl:object": published,
            "oparl:list": {"segment": published["segment"]} if published else None,
            "oparl:file-content": first(
                PublishedObject.objects.filter(kind="File"), lambda o: {"ident": o.ident}
            ),
            "joining:request-detail": first(JoinRequest.objects.all(), lambda r: {"pk": r.pk}),
            "guides:topic": first(Topic.objects.all(), lambda t: {"topic_slug": t.slug}),
            "guides:term": first(Term.objects.all(), lambda t: {"slug": t.slug}),
            "guides:attachment": first(
                GuideAttachment.objects.select_related("guide"),
                lambda a: {"slug": a.guide.slug, "attachment_id": a.pk},
            ),
            "dates:feed-kind": {"kind": "klassentreffen"},
            "dates:feed-personal": first(FeedToken.objects.all(), lambda t: {"token": t.token}),
            "newsletter:item": first(NewsItem.objects.all(), lambda i: {"item_id": i.pk}),
            "discussion:comment": first(
                Comment.objects.filter(project=self.project),
                lambda c: {"comment_id": c.pk},
            ),
            "discussion:project-comment": project,
            "discussion:result-comment": {"result_id": self.result.pk} if self.result else None,
            "api:result-detail": {"pk": self.result.pk} if self.result else None,
            "api:result-versions": {"pk": self.result.pk} if self.result else None,
            "api:result-compare": {"pk": self.result.pk} if self.result else None,
            "api:result-version": (
                {"pk": self.result.pk, "revision": self.result.revision} if self.result else None
            ),
            "api:cohort-detail": first(Cohort.objects.all(), lambda c: {"year": c.year}),
            "api:municipality-detail": municipality,
            "api:guide-detail": guide,
            "api:project-detail": project,
            "api:issue-detail": first(Issue.objects.all(), lambda i: {"pk": i.pk}),
            "api:meeting-detail": {"pk": meeting["meeting_id"]} if meeting else None,
            "api:appointment-detail": ({"pk": self.appointment.pk} if self.appointment else None),
            "api:agreement-detail": agreement,
            "api:term-detail": first(Term.objects.all(), lambda t: {"slug": t.slug}),
            "api:template-detail": ({"pk": self.adoption.template_id} if self.adoption else None),
        }
        # Every other URL takes the arguments its namespace and argument names suggest.
        by_prefix = {
            "copies:": {"municipality": copy, "result_id": copy},
            "projects:": {
                "slug": project,
                "result_id": result,
                "attachment_id": attachment,
                "member_id": examples["projects:team-role"],
            },
            "templates:": {
                "template_id": examples["templates:detail"],
                "offer_id": examples["templates:offer"],
            },
            "steering:": {"meeting_id": meeting, "item_id": item, "number": agreement},
            "guides:": {"slug": guide, "attachment_id": examples["guides:attachment"]},
            "dates:": {"pk": {"pk": self.appointment.pk} if self.appointment else None},
            "newsletter:": {
                "issue_id": first(Issue.objects.all(), lambda i: {"issue_id": i.pk}),
                "item_id": examples["newsletter:item"],
            },
            "discussion:": {"comment_id": examples["discussion:comment"]},
        }
        return {"examples": examples, "by_prefix": by_prefix}


def get_pages(world: World) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(URL name, path) of every URL that takes GET, and why the others are left out."""
    from django.urls import URLPattern, URLResolver, get_resolver, reverse
    from django.urls.converters import IntConverter

    def walk(resolver: URLResolver, namespace: str = "", outer: tuple = ()):
        for pattern in resolver.url_patterns:
            converters = outer + tuple(
                (name, type(converter)) for name, converter in pattern.pattern.converters.items()
            )
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":  # Django's own, guarded by is_staff
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, inner, converters)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", converters

    known = world.kwargs()
    result = world.result
    queries = {
        "search": "?q=Schule",
        "projects:result-compare": f"?von=1&zu={result.revision}" if result else "",
        "guides:compare": f"?von=1&zu={world.guide.revision}" if world.guide else "",
    }
    pages, left_out = [], {}
    for name, converters in sorted(set(walk(get_resolver())), key=lambda each: each[0]):
        if name in ("logout", "account_login", "api:not-found"):
            continue
        arguments = [argument for argument, _converter in converters]
        kwargs: dict | None = {}
        if arguments:
            kwargs = known["examples"].get(name)
            if kwargs is None and name not in known["examples"]:
                prefix = name.split(":")[0] + ":"
                needed = known["by_prefix"].get(prefix, {})
                kwargs = {}
                for argument in arguments:
                    example = needed.get(argument)
                    if example is None:
                        kwargs = None
                        break
                    kwargs |= example
        if kwargs is None or set(kwargs) != set(arguments):
            # Whether a GET is refused before any object is looked up (a POST-only action).
            dummy = {a: 2**31 - 2 if c is IntConverter else "x" for a, c in converters}
            left_out[name] = reverse(name, kwargs=dummy)
            continue
        pages.append((name, reverse(name, kwargs=kwargs) + queries.get(name, "")))
    return pages, left_out


def client_for(user):
    from django.test import Client

    # As nginx passes a request on: HTTPS at the edge, from the proxy's address.
    client = Client(
        raise_request_exception=False, HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https"
    )
    if user is not None:
        client.force_login(user)
    return client


def clear_caches() -> None:
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def measure_pages(world: World, rounds: int, only: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages, without_example = get_pages(world)
    pages = [(name, url) for name, url in pages if re.search(only, name)]
    clients = {
        role: client_for(user) for role, user in world.users.items() if role == "visitor" or user
    }
    # An action that takes POST only answers 405 before it looks for its object.
    left_out = {
        name: "nur POST" if clients["office"].get(url).status_code == 405 else "kein Beispiel"
        for name, url in without_example.items()
    }
    measured: dict[str, dict] = {}
    statuses: dict[str, dict[str, int]] = {}
    plans: dict[str, list[str]] = {}
    for name, url in pages:
        began = time.perf_counter()
        for role, client in clients.items():
            clear_caches()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                drain(response)
            first_ms = (time.perf_counter() - start) * 1000
            # Read at once: the next request clears the connection's log it points into.
            queries = list(captured.captured_queries)
            statuses.setdefault(name, {})[role] = response.status_code
            if response.status_code != 200:
                continue
            timings = []
            for _ in range(5 if first_ms > SLOW_FIRST_MS else rounds):
                start = time.perf_counter()
                drain(client.get(url))
                timings.append((time.perf_counter() - start) * 1000)
            slowest = max(queries, key=lambda query: float(query["time"]), default=None)
            seq_scans = sorted({t for q in queries for t in scanned_tables(q["sql"], plans)})
            measured[f"{name}|{role}"] = {
                "name": name,
                "url": url,
                "role": role,
                "queries": len(queries),
                "median": statistics.median(timings),
                "p95": percentile95(timings),
                "rounds": len(timings),
                "seq_scans": seq_scans,
                "slowest": explain(slowest["sql"]) if slowest else None,
            }
        spent = time.perf_counter() - began
        print(f"  {name}: {statuses[name]} ({spent:.1f} s)", file=sys.stderr)
    return {"measured": measured, "statuses": statuses, "left_out": left_out}


def drain(response) -> None:
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def percentile95(timings: list[float]) -> float:
    if len(timings) < 2:
        return timings[0]
    return statistics.quantiles(timings, n=20, method="inclusive")[-1]


def is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def scanned_tables(sql: str, cache: dict[str, list[str]]) -> list[str]:
    """The tables a query's plan reads sequentially (EXPLAIN without running it)."""
    if not is_read(sql):
        return []
    if sql not in cache:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        cache[sql] = sorted(set(seq_scans_of(plan[0]["Plan"])))
    return cache[sql]


def seq_scans_of(node: dict):
    if node.get("Node Type") == "Seq Scan":
        yield node["Relation Name"]
    for child in node.get("Plans", []):
        yield from seq_scans_of(child)


def explain(sql: str) -> dict:
    """The query with ``EXPLAIN (ANALYZE, BUFFERS)``, rolled back whatever it is."""
    from django.db import connection, transaction

    entry = {"sql": sql, "plan": ""}
    if not is_read(sql):
        return entry
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        entry["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return entry


def table_rows() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, GREATEST(c.reltuples, 0)::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'"
        )
        return dict(cursor.fetchall())


def measure_write(world: World, rounds: int) -> dict:
    """Saving the result with the most versions of the team's project, rolled back each time."""
    from django.db import connection, transaction

    from projects.services import result_update

    result, by = world.result, world.users["team"]
    # The same text in both worlds (about 10 KB, as the generated results' bodies): the
    # comparison is about the size of the tables, not of the text (rendering and indexing a
    # text costs by its length in any world).
    text = "\n\n".join(
        f"## Abschnitt {n}\n\nDie Kommune prüft mit dem Netzwerk, wie offene Daten, "
        "Beteiligung und digitale Verwaltung zusammenwirken; die Ergebnisse gehen in den "
        f"Leitfaden ein und werden von anderen Kommunen nachgenutzt (Schritt {n})."
        for n in range(40)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_historicalresult")
        history_rows = cursor.fetchone()[0]
    timings = []
    for number in range(rounds + 1):
        result.refresh_from_db()
        start = time.perf_counter()
        with transaction.atomic():
            result_update(
                result=result,
                by=by,
                base_revision=result.revision,
                body=f"{text}\n\nErgänzung {number} der Messung.",
                note="Messung",
            )
            transaction.set_rollback(True)
        if number:  # the first save warms up
            timings.append((time.perf_counter() - start) * 1000)
    return {
        "history_rows": history_rows,
        "result_versions": result.revision,
        "median": statistics.median(timings),
        "p95": percentile95(timings),
    }


def session_cookie(user) -> str:
    from django.conf import settings

    client = client_for(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- the parent: both worlds, the servers, the report -----------------------------------------


def run_child(env: dict[str, str], rounds: int, parts: set[str], only: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, __file__, "--child", env["DATABASE_URL"], "--out", out.name]
        command += ["--rounds", str(rounds), "--parts", ",".join(sorted(parts)), "--only", only]
        done = subprocess.run(command, cwd=ROOT, env=env)
        if done.returncode != 0:
            raise SystemExit(f"Messung auf {env['DATABASE_URL']} gescheitert")
        return json.loads(Path(out.name).read_text())


def world_env(database_url: str, runtime: Path) -> dict[str, str]:
    env = throughput.served_env(database_url, runtime, "", "")
    # The world's own attachments, wherever its seeding put them.
    env.pop("MEDIA_ROOT")
    if os.environ.get("MEDIA_ROOT"):
        env["MEDIA_ROOT"] = os.environ["MEDIA_ROOT"]
    env.pop("CACHE_URL", None)
    return env


def throughput_runs(envs: dict[str, dict], cookies: dict[str, str], runtime: Path) -> dict:
    """Requests per second of the main pages in both worlds, served at once, runs alternating."""
    servers, jobs = [], []
    try:
        for world, env in envs.items():
            server, url = throughput.start(env, middleware=True, log=runtime / f"{world}.log")
            servers.append(server)
            for target, page in zip(throughput.paths(env), throughput.PAGES, strict=True):
                jobs.append((world, page, "visitor", url + target, None))
                jobs.append((world, page, "team", url + target, cookies[world]))
        runs: dict[tuple[str, str, str], list[float]] = {}
        for round_number in range(throughput.ROUNDS):
            for world, page, who, url, cookie in jobs:
                runs.setdefault((world, page, who), []).append(throughput.wrk(url, cookie))
            print(f"Durchsatz: Runde {round_number + 1}/{throughput.ROUNDS}", file=sys.stderr)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    return {key: statistics.median(values) for key, values in runs.items()}


def mark(met: bool) -> str:
    return "erreicht" if met else "**verfehlt**"


def plan_summary(slowest: dict | None) -> str:
    if not slowest or not slowest["plan"]:
        return "–"
    plan = slowest["plan"]
    scans = re.findall(
        r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)"
        r"(?: using \S+)? on \S+)",
        plan,
    )
    total = re.search(r"Execution Time: ([\d.]+) ms", plan)
    parts = list(dict.fromkeys(scans))[:3]
    if total:
        parts.append(f"{float(total.group(1)):.1f} ms")
    return "; ".join(parts).replace("|", "\\|")


def report(demo: dict, big: dict, speeds: dict | None, rounds: int) -> tuple[str, list[str]]:
    lines, failed = [], []
    rows = big["tables"]
    growing = {t for t, n in rows.items() if t not in REFERENCE_TABLES and n >= GROWING_ROWS}
    lines.append(f"# Skalenmessung {TODAY:%Y-%m-%d}\n")
    lines.append(
        f"Demo-Welt: Datenbank `{demo['database']}`; große Welt: `{big['database']}` "
        f"({rows.get('projects_leadproject', 0):,} Leitprojekte, "
        f"{rows.get('projects_historicalresult', 0):,} Versionen, "
        f"{rows.get('workspace_user', 0):,} Personen; Zeilenzahlen geschätzt).\n"
    )
    for label, data in (("Demo", demo), ("groß", big)):
        accounts = ", ".join(
            f"{ROLE_NAMES[r]} `{u}`" for r, u in data["world"]["accounts"].items() if u
        )
        lines.append(
            f"- {label}: {accounts}; Leitprojekt `{data['world']['project']}`, Ergebnis "
            f"{data['world']['result']} mit {data['world']['result_versions']} Versionen"
        )
    if "pages" in demo and "pages" in big:
        lines += page_table(demo["pages"], big["pages"], growing, rounds, failed)
    if "write" in demo and "write" in big:
        lines += write_table(demo["write"], big["write"], failed)
    if speeds:
        lines += throughput_table(speeds, failed)
    lines.append(
        "\n" + ("Alle Ziele erreicht." if not failed else "Verfehlt: " + "; ".join(failed))
    )
    return "\n".join(lines) + "\n", failed


def page_table(demo: dict, big: dict, growing: set[str], rounds: int, failed: list) -> list[str]:
    lines = [
        "\n## Seiten (Done-when 2)\n",
        f"Django-Testclient im Prozess, DEBUG aus, ohne Seiten-Cache; Median und p95 aus {rounds} "
        "Anfragen (langsame Seiten: 5), Abfragen einer Anfrage mit leeren Caches, deren "
        "langsamste Abfrage mit `EXPLAIN (ANALYZE, BUFFERS)` in der großen Welt. Seq Scan: "
        f"Tabellen, die wachsen (≥ {GROWING_ROWS:,} Zeilen in der großen Welt, keine "
        "Referenztabelle) und die ein Plan einer Abfrage der Seite sequenziell liest.\n",
        "| Seite | Rolle | Abfragen Demo/groß | Median Demo/groß ms | p95 Demo/groß ms | "
        "Faktor p95 | langsamste Abfrage (groß) | Seq Scan | Ziele |",
        "|---|---|---:|---:|---:|---:|---|---|---|",
    ]
    details, verdicts = [], {"queries": [], "p95": [], "scan": []}
    for key, small in demo["measured"].items():
        large = big["measured"].get(key)
        if large is None:
            status = big["statuses"].get(small["name"], {}).get(small["role"], "–")
            lines.append(
                f"| `{small['url']}` | {ROLE_NAMES[small['role']]} | {small['queries']}/– | "
                f"{small['median']:.1f}/– | {small['p95']:.1f}/– | – | groß: Antwort {status} | "
                "| – |"
            )
            continue
        scans = [t for t in large["seq_scans"] if t in growing]
        ratio = large["p95"] / small["p95"] if small["p95"] else float("inf")
        same = small["queries"] == large["queries"]
        fast = ratio <= GOAL_RATIO and large["p95"] < GOAL_P95_MS
        goals = [] if same else ["Abfragen"]
        goals += [] if fast else ["p95"]
        goals += ["Seq Scan"] if scans else []
        where = f"{large['name']} ({ROLE_NAMES[large['role']]})"
        if not same:
            verdicts["queries"].append(where)
        if not fast:
            verdicts["p95"].append(where)
        if scans:
            verdicts["scan"].append(where)
        lines.append(
            f"| `{large['url']}` | {ROLE_NAMES[large['role']]} | {small['queries']}/"
            f"{large['queries']} | {small['median']:.1f}/{large['median']:.1f} | "
            f"{small['p95']:.1f}/{large['p95']:.1f} | {ratio:.1f} | "
            f"{plan_summary(large['slowest'])} | {', '.join(scans) or '–'} | "
            f"{'erreicht' if not goals else '**verfehlt**: ' + ', '.join(goals)} |"
        )
        if goals and large["slowest"] and large["slowest"]["plan"]:
            details.append(
                f"\n### `{large['url']}` ({ROLE_NAMES[large['role']]}): "
                f"{', '.join(goals)}\n\n```sql\n{large['slowest']['sql'][:1500]}\n```\n\n"
                f"```\n{large['slowest']['plan']}\n```"
            )
    only_big = set(big["measured"]) - set(demo["measured"])
    for key in sorted(only_big):
        large = big["measured"][key]
        lines.append(
            f"| `{large['url']}` | {ROLE_NAMES[large['role']]} | –/{large['queries']} | "
            f"–/{large['median']:.1f} | –/{large['p95']:.1f} | – | "
            f"{plan_summary(large['slowest'])} | | nur groß |"
        )
    lines.append("\n### Regeln (Done-when 2)\n")
    rules = (
        ("queries", "gleiche Zahl Abfragen in beiden Größen"),
        ("p95", f"p95 groß ≤ {GOAL_RATIO:g}× Demo und < {GOAL_P95_MS} ms"),
        ("scan", "kein Seq Scan auf einer wachsenden Tabelle"),
    )
    for rule, text in rules:
        missed = verdicts[rule]
        lines.append(
            f"- {text}: {mark(not missed)}"
            + (f" ({len(missed)} Seiten: {', '.join(missed)})" if missed else "")
        )
        if missed:
            failed.append(f"{text} ({len(missed)} Seiten)")
    left_out = {**demo["left_out"], **big["left_out"]}
    nobody = sorted(
        name
        for name, answers in demo["statuses"].items()
        if not any(status == 200 for status in answers.values())
    )
    post_only = sorted(name for name, why in left_out.items() if why == "nur POST")
    no_example = sorted(name for name, why in left_out.items() if why != "nur POST")
    lines.append(
        f"\nNicht gemessen: GET gibt bei keiner Rolle 200 (nur POST, Weiterleitung, Token): "
        f"{', '.join(nobody + post_only) or '–'}. Ohne Beispielobjekt in einer der Welten: "
        f"{', '.join(no_example) or '–'}."
    )
    if details:
        lines.append("\n## Pläne der verfehlten Seiten (große Welt)")
        lines += details
    return lines


def write_table(demo: dict, big: dict, failed: list) -> list[str]:
    ratio = big["p95"] / demo["p95"]
    met = ratio <= GOAL_WRITE_RATIO
    if not met:
        failed.append(f"Speichern {ratio:.2f}× > {GOAL_WRITE_RATIO:g}×")
    return [
        "\n## Ein Ergebnis speichern (Done-when 5)\n",
        "`projects.services.result_update`, jede Speicherung in einer Transaktion, die danach "
        "zurückgerollt wird (die Welt bleibt, wie sie war).\n",
        "| Welt | Zeilen der Versionstabelle | Versionen des Ergebnisses | Median ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
        f"| Demo | {demo['history_rows']:,} | {demo['result_versions']} | {demo['median']:.1f} | "
        f"{demo['p95']:.1f} |",
        f"| groß | {big['history_rows']:,} | {big['result_versions']} | {big['median']:.1f} | "
        f"{big['p95']:.1f} |",
        f"\np95 groß / Demo = {ratio:.2f} (Ziel ≤ {GOAL_WRITE_RATIO:g}×): {mark(met)}",
    ]


def throughput_table(speeds: dict, failed: list) -> list[str]:
    lines = [
        "\n## Durchsatz (Done-when 3)\n",
        f"gunicorn mit gunicorn.conf.py (2 Worker je Welt, beide Welten zugleich), DEBUG aus, "
        f"PostgreSQL, ohne geteilten Cache; wrk -t 2 -c {throughput.CONNECTIONS} "
        f"-d {throughput.SECONDS}s auf derselben Maschine; Median aus {throughput.ROUNDS} "
        "abwechselnden Läufen.\n",
        "| Seite | Besuch Demo r/s | Besuch groß r/s | % | Team Demo r/s | Team groß r/s | % | Ziel |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for page in throughput.PAGES:
        cells, met = [], True
        for who in ("visitor", "team"):
            small, large = speeds[("demo", page, who)], speeds[("big", page, who)]
            share = large / small
            met &= share >= GOAL_THROUGHPUT_SHARE
            cells.append(f"{small:.0f} | {large:.0f} | {100 * share:.0f}")
        if not met:
            missed.append(page)
        lines.append(
            f"| `{page}` | {' | '.join(cells)} | ≥ {100 * GOAL_THROUGHPUT_SHARE:.0f} %: "
            f"{mark(met)} |"
        )
    if missed:
        failed.append(f"Durchsatz unter {100 * GOAL_THROUGHPUT_SHARE:.0f} %: {', '.join(missed)}")
    return lines


def create_demo(national_url: str, runtime: Path) -> tuple[str, str]:
    """A throw-away database with the demo world, next to the national one."""
    import psycopg
    from psycopg import sql

    name = f"klassenraum_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(national_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    env = {**world_env(url, runtime), "DEBUG": "1"}
    throughput.manage(env, "migrate", "--no-input")
    throughput.manage(env, "seed_demo", "--quiet-accounts")
    return url, admin


def drop(admin: str, url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--national", default=os.environ.get("SCALE_DATABASE_URL", ""))
    parser.add_argument("--demo", default=os.environ.get("DEMO_DATABASE_URL", ""))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS_PAGES", 20)))
    parser.add_argument("--parts", default=os.environ.get("BENCH_PARTS", "pages,write,throughput"))
    parser.add_argument("--only", default="", help="only URL names matching this expression")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if args.child:
        child_main(args.child, args.out, args.rounds, parts, args.only)
        return 0
    for url in (args.national, args.demo or args.national):
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit(
                "bench/scale.py misst auf PostgreSQL: --national (SCALE_DATABASE_URL) nennt die "
                "Datenbank der großen Welt (manage.py seed_scale), --demo wahlweise die Demo-Welt."
            )
    if "throughput" in parts and not shutil.which("wrk"):
        raise SystemExit("wrk fehlt: apt-get install wrk")
    runtime = Path(tempfile.mkdtemp(prefix="klassenraum-scale-"))
    demo_url, admin = args.demo, None
    try:
        if not demo_url:
            demo_url, admin = create_demo(args.national, runtime)
        envs = {"demo": world_env(demo_url, runtime), "big": world_env(args.national, runtime)}
        throughput.manage(envs["demo"], "collectstatic", "--no-input", "--verbosity", "0")
        results = {}
        for world, env in envs.items():
            print(f"Messung: {world} ({env['DATABASE_URL']})", file=sys.stderr)
            results[world] = run_child(env, args.rounds, parts, args.only)
        speeds = None
        if "throughput" in parts:
            cookies = {world: data["cookie"] for world, data in results.items()}
            speeds = throughput_runs(envs, cookies, runtime)
        text, failed = report(results["demo"], results["big"], speeds, args.rounds)
    finally:
        if admin:
            drop(admin, demo_url)
        shutil.rmtree(runtime, ignore_errors=True)
    out = args.out or RESULTS / f"scale-{TODAY:%Y-%m-%d}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"Tabelle: {out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
