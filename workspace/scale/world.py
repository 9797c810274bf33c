"""The synthetic national network, area by area (see ``manage.py seed_scale``).

Each area writes its tables with COPY and keeps in memory only what later areas point at
(ids, owners, the block numbers of each result's last version). The areas run in order:
geography, people, projects, results and their history, templates and adoptions, guides,
glossary, discussion, notifications, steering, dates, newsletter, attachments, tokens and
the security log.
"""

# Synthetic data from a seeded random on purpose: reproducible, never a secret.
# ruff: noqa: S311

from __future__ import annotations

import datetime as dt
import hashlib
import random
import threading
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.text import slugify

from workspace.scale.copying import Ids, copy_lines, copy_rows, esc, line, ts
from workspace.scale.text import NOUNS, Prose

UTC = dt.UTC

# National figures; ``--scale`` multiplies them (never below the floor beside each).
NATIONAL = {
    "districts": (400, 5),
    "municipalities": (10_800, 12),
    "people": (100_000, 60),
    "projects": (10_000, 10),
    "results": (50_000, 30),
    "versions": (1_000_000, 300),
    "templates": (20_000, 8),
    "adoptions": (30_000, 10),
    "guides": (5_000, 5),
    "terms": (2_000, 5),
    "comments": (200_000, 100),
    "notifications": (2_000_000, 500),
    "meetings": (600, 3),
    "agreements": (3_000, 6),
    "dates": (10_000, 10),
    "registrations": (100_000, 50),
    "subscribers": (200_000, 100),
    "attachments": (20_000, 10),
    "tokens": (5_000, 5),
    "security_events": (300_000, 100),
    "issues": (120, 3),
}
STATES = [
    ("01", "Schleswig-Holstein"),
    ("02", "Hamburg"),
    ("03", "Niedersachsen"),
    ("04", "Bremen"),
    ("05", "Nordrhein-Westfalen"),
    ("06", "Hessen"),
    ("07", "Rheinland-Pfalz"),
    ("08", "Baden-Württemberg"),
    ("09", "Bayern"),
    ("10", "Saarland"),
    ("11", "Berlin"),
    ("12", "Brandenburg"),
    ("13", "Mecklenburg-Vorpommern"),
    ("14", "Sachsen"),
    ("15", "Sachsen-Anhalt"),
    ("16", "Thüringen"),
]
COHORT_YEARS = list(range(2019, 2027))  # eight yearly classes
PREFIXES = ["", "", "", "Alt", "Neu", "Ober", "Nieder", "Groß", "Klein", "Bad ", "Hohen", "Unter"]
STEMS = """Wald Linden Eichen Birken Ahorn Tann Stein Mühl Brunn Sonnen Rosen Hasel Falken Adler
Wolf Bären Hirsch Kirch Schön Rot Weiß Grün Lang Breit Hoch Tief Hain Heide Moor Feld Berg
Fisch Kalk Salz Eisen Gold Silber Bruch Kreuz Marien Ulrichs Johannis Rhein Main Lahn Ems Fulda
Werra Eder Mosel Saar Donau Isar Lech Inn Elb Oder Havel Spree Ruhr Lippe Sieg Lenne""".split()
SUFFIXES = """berg feld hausen dorf heim stadt bach burg kirchen rode hagen stein au brück hof
ingen leben born wald tal büttel stedt ow itz""".split()
RIVERS = ["an der Lahn", "am Main", "an der Weser", "an der Ems", "am Rhein", "an der Saale"]
FIRST = """Anna Ben Clara David Emma Felix Greta Hannah Jan Jonas Julia Karl Laura Lea Leon Lukas
Marie Max Mia Noah Paul Sophie Tim Tom Lena Nina Ole Pia Sven Ute Birgit Jörg Heike Frank Sabine
Dirk Petra Uwe Katrin Stefan Andrea Thomas Monika Michael Claudia""".split()
LAST = """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange
Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter""".split()
FUNCTIONS = ["Schulverwaltung", "IT-Leitung", "Digitalisierung", "Schulamt", "Bauamt", "Kämmerei"]


def _at(day: dt.date, seconds: int = 36_000) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(seconds=seconds)


@dataclass
class ProjectRow:
    id: int
    slug: str
    visibility: str
    lead: int
    created: dt.datetime
    team: list[tuple[int, str]] = field(default_factory=list)
    results: list[int] = field(default_factory=list)


@dataclass
class ResultRow:
    id: int
    project: int
    title: str
    kind: str
    blocks: list[int]
    revision: int
    maturity: str
    last_history: int
    first_at: dt.datetime
    last_at: dt.datetime
    created_by: int
    summary: str


class World:
    """One run of the generator: its random, its ids, and what later areas point at."""

    def __init__(
        self, *, scale: float, seed: int, anchor: dt.date, password: str, log, jobs: int = 2
    ) -> None:
        self.jobs = jobs
        self.scale = scale
        self.rng = random.Random(seed)
        self.seed = seed
        self.anchor = anchor
        self.password = password
        self.log = log
        self.ids = Ids()
        self.prose = Prose(seed)
        self.counts = {
            key: max(floor, round(national * scale)) for key, (national, floor) in NATIONAL.items()
        }
        self.start = dt.date(anchor.year - 6, 1, 1)
        self.span_days = (anchor - self.start).days

    # --- helpers --------------------------------------------------------------------------

    def n(self, key: str) -> int:
        return self.counts[key]

    def day(self, rng: random.Random | None = None) -> dt.date:
        rng = rng or self.rng
        return self.start + dt.timedelta(days=rng.randrange(self.span_days))

    def moment(self, after: dt.datetime | None = None, within_days: int = 0) -> dt.datetime:
        if after is None:
            return _at(self.day(), self.rng.randrange(6 * 3600, 20 * 3600))
        return after + dt.timedelta(seconds=self.rng.randrange(60, max(120, within_days * 86400)))

    def content_type(self, app_label: str, model: str) -> int:
        return ContentType.objects.get_by_natural_key(app_label, model).pk

    def run(self, area, label: str) -> None:
        began = dt.datetime.now(UTC)
        with transaction.atomic():
            written = area()
        seconds = (dt.datetime.now(UTC) - began).total_seconds()
        self.log(f"{label}: {written:,} Zeilen in {seconds:.1f} s")

    # --- geography ------------------------------------------------------------------------

    def geography(self) -> int:
        from workspace.models import Cohort, Municipality

        rng = self.rng
        written = 0
        self.cohorts = {}
        for year in COHORT_YEARS:
            cohort, created = Cohort.objects.get_or_create(
                year=year, defaults={"description": f"Die Klasse {year} des Netzwerks."}
            )
            self.cohorts[year] = cohort.pk
            written += created
        districts = self.districts()
        taken_names = {name.lower() for name in Municipality.objects.values_list("name", flat=True)}
        taken_slugs = set(Municipality.objects.values_list("slug", flat=True))
        taken_keys = set(Municipality.objects.values_list("official_key", flat=True))
        count = self.n("municipalities")
        first = self.ids.take("workspace_municipality", count)
        pioneers = max(5, count // 100)
        self.municipalities: list[int] = []
        self.members: list[int] = []
        self.pioneers: list[int] = []
        self.municipality_names: dict[int, str] = {}
        self.municipality_slugs: dict[int, str] = {}
        rows = []
        for index in range(count):
            pk = first + index
            if self.municipalities and rng.random() < 0.05:
                # Names repeat across Germany (several Neustadts); slug and key tell them apart.
                name = self.municipality_names[rng.choice(self.municipalities)]
            else:
                name = self._town_name(rng, taken_names)
            slug = base = slugify(name)[:90]
            suffix = 2
            while slug in taken_slugs:
                slug = f"{base}-{suffix}"
                suffix += 1
            taken_slugs.add(slug)
            district, prefix = districts[index % len(districts)]
            number = index // len(districts) % 999 + 1
            key = f"{prefix}{number:03d}"
            while key in taken_keys:
                key = f"{prefix}{rng.randrange(1, 1000):03d}"
            taken_keys.add(key)
            is_pioneer = index < pioneers
            is_member = is_pioneer or rng.random() < 0.6
            year = rng.choice(COHORT_YEARS) if is_member else None
            joined = dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) if year else None
            if joined and joined > self.anchor:
                joined = self.anchor
            kind = "stadt" if rng.random() < 0.35 else "gemeinde"
            rows.append(
                (
                    pk,
                    name,
                    slug,
                    district,
                    is_pioneer,
                    is_member,
                    f"https://www.{slug}.de" if rng.random() < 0.8 else "",
                    key,
                    joined,
                    self.cohorts[year] if year else None,
                    kind,
                )
            )
            self.municipalities.append(pk)
            self.municipality_names[pk] = name
            self.municipality_slugs[pk] = slug
            if is_member:
                self.members.append(pk)
            if is_pioneer:
                self.pioneers.append(pk)
        written += copy_rows(
            "workspace_municipality",
            [
                "id",
                "name",
                "slug",
                "district_id",
                "is_pioneer",
                "is_member",
                "website",
                "official_key",
                "joined_on",
                "cohort_id",
                "kind",
            ],
            rows,
        )
        return written + len(districts)

    def districts(self) -> list[tuple[int, str]]:
        """States and districts as data: (id, official key) of each new district. A district's
        key is its state's two digits and three more; its municipalities' keys continue it."""
        from workspace.models import District, State

        rng = random.Random(self.seed + 1)
        states = {}
        for code, name in STATES:
            state = State.objects.filter(official_key=code).first()
            if state is None:
                state = State.objects.create(name=name, slug=slugify(name), official_key=code)
            states[code] = state
        taken_names = {(s, n.lower()) for s, n in District.objects.values_list("state_id", "name")}
        taken_slugs = set(District.objects.values_list("slug", flat=True))
        taken_keys = set(District.objects.values_list("official_key", flat=True))
        made = []
        numbers = dict.fromkeys(states, 0)
        for index in range(self.n("districts")):
            code = STATES[index % len(STATES)][0]
            state = states[code]
            while True:
                name = f"Kreis {rng.choice(STEMS)}{rng.choice(SUFFIXES)}"
                if (state.pk, name.lower()) not in taken_names:
                    break
            taken_names.add((state.pk, name.lower()))
            slug = base = slugify(name)
            suffix = 2
            while slug in taken_slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            taken_slugs.add(slug)
            while True:
                numbers[code] += 1
                key = f"{code}{numbers[code] // 100 % 10}{numbers[code] % 100:02d}"
                if key not in taken_keys and numbers[code] % 100:
                    break
            taken_keys.add(key)
            made.append(District(name=name, slug=slug, state=state, official_key=key))
        District.objects.bulk_create(made, batch_size=1000)
        return [(d.pk, d.official_key) for d in made]

    @staticmethod
    def _town_name(rng: random.Random, taken: set[str]) -> str:
        while True:
            name = f"{rng.choice(PREFIXES)}{rng.choice(STEMS)}{rng.choice(SUFFIXES)}"
            name = name[0].upper() + name[1:]
            if name.startswith("Bad ") is False and " " not in name:
                name = name[0] + name[1:].lower()
            if name.lower() in taken:
                name = f"{name} {rng.choice(RIVERS)}"
            if name.lower() not in taken:
                taken.add(name.lower())
                return name

    # --- people ---------------------------------------------------------------------------

    def people(self) -> int:
        rng = self.rng
        count = self.n("people")
        first = self.ids.take("workspace_user", count)
        self.people_ids = list(range(first, first + count))
        self.works_for: dict[int, int] = {}
        self.staff_of: dict[int, list[int]] = {}
        self.names: dict[int, str] = {}
        # Most people work for a member municipality; every municipality gets a contact person.
        members, others = (
            self.members,
            [m for m in self.municipalities if m not in set(self.members)],
        )
        users, memberships = [], []
        membership_id = self.ids.take("workspace_membership", count + count // 10)
        contacts: set[int] = set()
        for index, pk in enumerate(self.people_ids):
            if index < len(self.municipalities):
                municipality = self.municipalities[index]
            elif rng.random() < 0.88 or not others:
                municipality = rng.choice(members)
            else:
                municipality = rng.choice(others)
            first_name, last_name = rng.choice(FIRST), rng.choice(LAST)
            username = f"p{pk}"
            joined = self.moment()
            users.append(
                line(
                    pk,
                    self.password,
                    None,
                    False,
                    username,
                    first_name,
                    last_name,
                    f"{username}@{self.municipality_slugs[municipality]}.example",
                    False,
                    True,
                    ts(joined),
                    f"{first_name} {last_name}",
                    "",
                    rng.choice(["immediately", "daily", "daily", "weekly", "never"]),
                    rng.random() < 0.3,
                )
            )
            role = "staff"
            if municipality not in contacts:
                contacts.add(municipality)
                role = "contact"
            memberships.append(
                line(
                    membership_id,
                    role,
                    rng.choice(FUNCTIONS),
                    joined.date(),
                    None,
                    pk,
                    municipality,
                )
            )
            membership_id += 1
            # Some changed employer: an ended membership before the current one.
            if rng.random() < 0.08:
                old = rng.choice(self.municipalities)
                if old != municipality:
                    started = joined.date() - dt.timedelta(days=rng.randint(400, 2000))
                    memberships.append(
                        line(
                            membership_id,
                            "staff",
                            rng.choice(FUNCTIONS),
                            started,
                            joined.date(),
                            pk,
                            old,
                        )
                    )
                    membership_id += 1
            self.works_for[pk] = municipality
            self.staff_of.setdefault(municipality, []).append(pk)
            self.names[pk] = f"{first_name} {last_name}"
        self.ids.next["workspace_membership"] = membership_id
        written = copy_lines(
            "workspace_user",
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "display_name",
                "language",
                "mail_frequency",
                "public_name",
            ],
            users,
        )
        written += copy_lines(
            "workspace_membership",
            ["id", "role", "function", "started_on", "ended_on", "user_id", "municipality_id"],
            memberships,
        )
        # The network office: a handful of people in the office group.
        office = Group.objects.filter(name="Geschäftsstelle").first()
        self.office = self.people_ids[: max(2, count // 20_000)]
        if office is not None:
            first_link = self.ids.take("workspace_user_groups", len(self.office))
            written += copy_rows(
                "workspace_user_groups",
                ["id", "user_id", "group_id"],
                [(first_link + i, pk, office.pk) for i, pk in enumerate(self.office)],
            )
        return written

    # --- lead projects ----------------------------------------------------------------------

    def projects(self) -> int:
        from workspace.models import Topic

        rng = self.rng
        topics = list(Topic.objects.values_list("pk", flat=True))
        if not topics:
            for name in ["Infrastruktur", "Medienbildung", "Beteiligung", "Offene Daten"]:
                topics.append(Topic.objects.create(name=name, slug=slugify(name)).pk)
        count = self.n("projects")
        first = self.ids.take("projects_leadproject", count)
        history_first = self.ids.take("projects_historicalleadproject", count, "history_id")
        with connection.cursor() as cursor:
            cursor.execute("SELECT slug FROM projects_leadproject")
            taken = set(cursor.fetchall())
        perms = dict(
            Permission.objects.filter(
                content_type__app_label="projects", content_type__model="leadproject"
            ).values_list("codename", "pk")
        )
        role_perms = {
            "observer": ["view_leadproject"],
            "editor": ["view_leadproject", "edit_results"],
            "coordinator": [
                "view_leadproject",
                "edit_results",
                "change_leadproject",
                "manage_team",
            ],
        }
        project_type = self.content_type("projects", "leadproject")
        self.projects_list: list[ProjectRow] = []
        rows, history, participants, project_topics = [], [], [], []
        team, grants, activities, follows = [], [], [], []
        statuses = (
            ["running"] * 40
            + ["completed"] * 20
            + ["agreed"] * 10
            + ["idea"] * 10
            + ["proposed"] * 10
            + ["established"] * 5
            + ["archived"] * 5
        )
        for index in range(count):
            pk = first + index
            title = f"{self.prose.title(rng)} in {rng.choice(STEMS)}land"
            slug = f"{slugify(title)[:60]}-{pk}"
            while (slug,) in taken:
                slug += "x"
            pick = rng.random()
            visibility = "public" if pick < 0.7 else "network" if pick < 0.9 else "team"
            lead = rng.choice(self.pioneers)
            creator = rng.choice(self.staff_of[lead])
            created = self.moment()
            status = rng.choice(statuses)
            starts = created.date() if status not in ("idea", "proposed") else None
            ends = (
                starts + dt.timedelta(days=rng.randint(180, 900))
                if starts and rng.random() < 0.5
                else None
            )
            summary = self.prose.sentence(rng)[:390]
            description = self.prose.paragraph(rng)
            row = ProjectRow(pk, slug, visibility, lead, created)
            values = (
                title,
                slug,
                summary,
                description,
                "Betrifft alle Kommunen mit Schulen.",
                "Ein Konzept statt vieler.",
                "Gemeinsam verhandeln wir besser.",
                "",
                "cooperative" if rng.random() < 0.85 else "single",
                visibility,
                status,
                starts,
                ends,
            )
            rows.append(line(pk, *values, ts(created), creator, None, lead))
            history.append(
                line(
                    pk,
                    *values,
                    history_first + index,
                    ts(created),
                    None,
                    "+",
                    creator,
                    creator,
                    None,
                    lead,
                )
            )
            others = rng.sample(self.members, min(len(self.members), rng.randint(1, 6)))
            for municipality in {m for m in others if m != lead}:
                participants.append((pk, municipality))
            for topic in rng.sample(topics, min(len(topics), rng.randint(1, 3))):
                project_topics.append((pk, topic))
            size = rng.randint(3, 12)
            pool = [p for m in others for p in self.staff_of.get(m, [])[:6]]
            members = {creator: "coordinator"}
            while len(members) < size:
                person = (
                    rng.choice(pool) if pool and rng.random() < 0.7 else rng.choice(self.people_ids)
                )
                if person not in members:
                    pick = rng.random()
                    members[person] = (
                        "coordinator" if pick < 0.1 else "editor" if pick < 0.6 else "observer"
                    )
            activities.append((pk, creator, "created", "", created))
            for person, role in members.items():
                joined = created + dt.timedelta(minutes=rng.randint(1, 60 * 24 * 30))
                team.append((role, joined, pk, person))
                grants.extend((pk, perms[codename], person) for codename in role_perms[role])
                activities.append((pk, creator, "member_added", role, joined, person))
                follows.append((person, project_type, pk, joined))
                row.team.append((person, role))
            self.projects_list.append(row)
        columns = [
            "title",
            "slug",
            "summary",
            "description",
            "criterion_concerns_all",
            "criterion_saves_resources",
            "criterion_joint_impact",
            "lead_exception_reason",
            "kind",
            "visibility",
            "status",
            "starts_on",
            "ends_on",
        ]
        written = copy_lines(
            "projects_leadproject",
            [
                "id",
                *columns,
                "created_at",
                "created_by_id",
                "lead_exception_recorded_by_id",
                "lead_municipality_id",
            ],
            rows,
        )
        written += copy_lines(
            "projects_historicalleadproject",
            [
                "id",
                *columns,
                "history_id",
                "history_date",
                "history_change_reason",
                "history_type",
                "created_by_id",
                "history_user_id",
                "lead_exception_recorded_by_id",
                "lead_municipality_id",
            ],
            history,
        )
        written += self._copy_with_ids(
            "projects_leadproject_participants", ["leadproject_id", "municipality_id"], participants
        )
        written += self._copy_with_ids(
            "projects_leadproject_topics", ["leadproject_id", "topic_id"], project_topics
        )
        written += self._copy_with_ids(
            "projects_teammembership",
            ["role", "added_at", "project_id", "user_id"],
            [(r, ts(a), p, u) for r, a, p, u in team],
        )
        written += self._copy_with_ids(
            "projects_leadprojectuserobjectpermission",
            ["content_object_id", "permission_id", "user_id"],
            grants,
        )
        activity_rows = []
        for item in activities:
            if item[2] == "created":
                project, actor, kind, _role, at = item
                activity_rows.append((kind, "", "", "", "", "[]", ts(at), actor, None, project))
            else:
                project, actor, kind, role, at, member = item
                activity_rows.append((kind, "", "", "", role, "[]", ts(at), actor, member, project))
        written += self._copy_with_ids(
            "projects_projectactivity",
            [
                "kind",
                "reason",
                "old_status",
                "new_status",
                "role",
                "changed_fields",
                "at",
                "actor_id",
                "member_id",
                "project_id",
            ],
            activity_rows,
        )
        self.follows: set[tuple[int, int, int]] = set()
        written += self._follows([(u, t, p, ts(at)) for u, t, p, at in follows])
        return written

    def _copy_with_ids(self, table: str, columns: list[str], rows: list[tuple]) -> int:
        first = self.ids.take(table, len(rows))
        return copy_lines(
            table, ["id", *columns], (line(first + i, *row) for i, row in enumerate(rows))
        )

    def _follows(self, rows: list[tuple]) -> int:
        fresh = []
        for user, target_type, target, at in rows:
            key = (user, target_type, target)
            if key not in self.follows:
                self.follows.add(key)
                fresh.append((at, target_type, user, target))
        return self._copy_with_ids(
            "workspace_follow", ["created_at", "target_type_id", "user_id", "target_id"], fresh
        )

    # --- results and their history ----------------------------------------------------------

    RESULT_KINDS = ["concept", "process", "tender", "data_model", "checklist", "other"]

    def results(self) -> int:
        """A million versions: the history table first (streamed), then the current rows."""
        rng = self.rng
        prose = self.prose
        count = self.n("results")
        versions = self.n("versions")
        first = self.ids.take("projects_result", count)
        average = versions / count
        # Version counts per result, summing to ``versions``.
        per_result = [max(1, round(rng.uniform(1, 2 * average - 1))) for _ in range(count)]
        surplus = sum(per_result) - versions
        index = 0
        while surplus != 0:
            step = 1 if surplus < 0 else -1
            if per_result[index % count] + step >= 1:
                per_result[index % count] += step
                surplus += step
            index += 1
        history_first = self.ids.take("projects_historicalresult", versions, "history_id")
        starts = []
        running = history_first
        for number in per_result:
            starts.append(running)
            running += number
        projects = self.projects_list
        notes = [
            "Abschnitt ergänzt",
            "Rückmeldungen eingearbeitet",
            "Tippfehler",
            "Neue Fassung",
            "Nach der Sitzung angepasst",
            "Zahlen aktualisiert",
            "",
        ]
        made: dict[int, ResultRow] = {}

        def history_lines(part: int):
            # Each result draws from its own random, so the rows are the same whichever
            # stream writes them.
            for index in range(part, count, self.jobs):
                rng = random.Random(self.seed * 1_000_003 + index)
                pk = first + index
                project = projects[index % len(projects)]
                editors = [p for p, role in project.team if role != "observer"]
                title = f"{prose.title(rng)} ({NOUNS[index % len(NOUNS)]})"
                kind = rng.choice(self.RESULT_KINDS)
                summary = prose.sentence(rng)[:390]
                blocks = prose.start(rng)
                total = per_result[index]
                tested_from = total if rng.random() < 0.35 else rng.randint(1, total)
                moment = project.created + dt.timedelta(hours=rng.randint(1, 2000))
                first_at = moment
                creator = editors[0]
                history_id = starts[index]
                for revision in range(1, total + 1):
                    if revision > 1:
                        blocks = prose.edit(rng, blocks)
                        moment += dt.timedelta(minutes=rng.randint(5, 60 * 24 * 14))
                    maturity = "tested" if revision >= tested_from and revision > 1 else "draft"
                    if total == 1 and tested_from == 1 and rng.random() < 0.5:
                        maturity = "tested"
                    author = rng.choice(editors)
                    yield (
                        f"{pk}\t{title}\t{summary}\t{prose.body(blocks)}\t{kind}\t{maturity}\t"
                        f"{revision}\tf\t{history_id}\t{ts(moment)}\t"
                        f"{rng.choice(notes) if revision > 1 else 'Angelegt'}\t"
                        f"{'+' if revision == 1 else '~'}\t{creator}\t{author}\t{project.id}\n"
                    )
                    history_id += 1
                made[index] = ResultRow(
                    pk,
                    project.id,
                    title,
                    kind,
                    blocks,
                    total,
                    maturity,
                    history_id - 1,
                    first_at,
                    moment,
                    creator,
                    summary,
                )

        columns = [
            "id",
            "title",
            "summary",
            "body",
            "kind",
            "maturity",
            "revision",
            "is_archived",
            "history_id",
            "history_date",
            "history_change_reason",
            "history_type",
            "created_by_id",
            "history_user_id",
            "project_id",
        ]
        written = sum(
            self.parallel(
                lambda part: copy_lines("projects_historicalresult", columns, history_lines(part))
            )
        )
        self.results_list = [made[index] for index in range(count)]
        for result in self.results_list:
            self._team_project(result.project).results.append(result.id)
        written += copy_lines(
            "projects_result",
            [
                "id",
                "title",
                "summary",
                "body",
                "kind",
                "maturity",
                "revision",
                "is_archived",
                "created_at",
                "updated_at",
                "created_by_id",
                "project_id",
            ],
            (
                f"{r.id}\t{r.title}\t{r.summary}\t{prose.body(r.blocks)}\t{r.kind}\t{r.maturity}\t"
                f"{r.revision}\tf\t{ts(r.first_at)}\t{ts(r.last_at)}\t{r.created_by}\t{r.project}\n"
                for r in self.results_list
            ),
        )
        return written

    # --- templates and adoptions -------------------------------------------------------------

    def templates(self) -> int:
        rng = self.rng
        project_by_id = {p.id: p for p in self.projects_list}
        tested = [r for r in self.results_list if r.maturity == "tested"]
        chosen = rng.sample(tested, min(len(tested), self.n("templates")))
        licences = ["cc-by-4.0", "cc-by-4.0", "cc0", "dl-de-by-2.0", "internal"]
        first = self.ids.take("projects_template", len(chosen))
        self.templates_list = []
        rows = []
        for index, result in enumerate(chosen):
            project = project_by_id[result.project]
            coordinator = next(p for p, role in project.team if role == "coordinator")
            published = result.last_at + dt.timedelta(hours=rng.randint(1, 500))
            rows.append(
                (
                    first + index,
                    rng.choice(licences),
                    self.prose.sentence(rng),
                    f"{rng.randint(2, 40)} Personentage",
                    self.names[coordinator],
                    ts(published),
                    coordinator,
                    result.last_history,
                    result.id,
                )
            )
            self.templates_list.append((first + index, result, project))
        written = copy_rows(
            "projects_template",
            [
                "id",
                "licence",
                "prerequisites",
                "effort",
                "contact",
                "published_at",
                "published_by_id",
                "recommended_id",
                "result_id",
            ],
            rows,
        )
        # Adoptions: each one a municipality's own copy (a result it owns) of the template's
        # recommended version, with the copy's first history row pointing at it.
        wanted = self.n("adoptions")
        pairs: set[tuple[int, int]] = set()
        adoptions = []
        attempts = 0
        while len(adoptions) < wanted and self.templates_list and attempts < wanted * 5:
            attempts += 1
            template = rng.choice(self.templates_list)
            municipality = rng.choice(self.members)
            if municipality == template[2].lead or (template[0], municipality) in pairs:
                continue
            pairs.add((template[0], municipality))
            adoptions.append((template, municipality))
        copy_first = self.ids.take("projects_result", len(adoptions))
        history_first = self.ids.take("projects_historicalresult", len(adoptions), "history_id")
        adoption_first = self.ids.take("projects_adoption", len(adoptions))
        copies, copy_history, adoption_rows, follows = [], [], [], []
        self.adoption_rows: list[tuple] = []
        result_type = self.content_type("projects", "result")
        for index, ((template_id, source, _project), municipality) in enumerate(adoptions):
            pk = copy_first + index
            by = rng.choice(self.staff_of.get(municipality) or self.people_ids)
            at = source.last_at + dt.timedelta(days=rng.randint(1, 300))
            body = self.prose.body(source.blocks)
            copies.append(
                f"{pk}\t{source.title}\t{source.summary}\t{body}\t{source.kind}\ttested\t1\tf\t"
                f"{ts(at)}\t{ts(at)}\t{by}\t{municipality}\t{source.last_history}\n"
            )
            copy_history.append(
                f"{pk}\t{source.title}\t{source.summary}\t{body}\t{source.kind}\ttested\t1\tf\t"
                f"{history_first + index}\t{ts(at)}\tNachgenutzt\t+\t{by}\t{by}\t{municipality}\t"
                f"{source.last_history}\n"
            )
            adoption_rows.append(
                (
                    adoption_first + index,
                    rng.choice(["planned", "pilot", "in_use", "in_use", "dropped"]),
                    self.prose.sentence(rng) if rng.random() < 0.4 else "",
                    ts(at),
                    by,
                    source.last_history,
                    pk,
                    None,
                    municipality,
                    template_id,
                )
            )
            follows.append((by, result_type, pk, ts(at)))
            self.adoption_rows.append(
                (adoption_first + index, history_first + index, source.last_history, by, at)
            )
        written += copy_lines(
            "projects_historicalresult",
            [
                "id",
                "title",
                "summary",
                "body",
                "kind",
                "maturity",
                "revision",
                "is_archived",
                "history_id",
                "history_date",
                "history_change_reason",
                "history_type",
                "created_by_id",
                "history_user_id",
                "municipality_id",
                "upstream_id",
            ],
            copy_history,
        )
        written += copy_lines(
            "projects_result",
            [
                "id",
                "title",
                "summary",
                "body",
                "kind",
                "maturity",
                "revision",
                "is_archived",
                "created_at",
                "updated_at",
                "created_by_id",
                "municipality_id",
                "upstream_id",
            ],
            copies,
        )
        written += copy_rows(
            "projects_adoption",
            [
                "id",
                "status",
                "experience",
                "adopted_at",
                "adopted_by_id",
                "adopted_row_id",
                "copy_id",
                "dismissed_row_id",
                "municipality_id",
                "template_id",
            ],
            adoption_rows,
        )
        written += self._follows(follows)
        return written

    # --- guides and glossary -----------------------------------------------------------------

    def guides(self) -> int:
        from workspace.models import Topic

        rng = self.rng
        prose = self.prose
        count = self.n("guides")
        topics = list(Topic.objects.values_list("pk", flat=True))
        first = self.ids.take("guides_guide", count)
        versions = [rng.randint(1, 7) for _ in range(count)]
        history_first = self.ids.take("guides_historicalguide", sum(versions), "history_id")
        rows, history, authors, guide_topics, guide_projects, guide_results = [], [], [], [], [], []
        history_id = history_first
        for index in range(count):
            pk = first + index
            title = f"Leitfaden: {prose.title(rng)}"
            slug = f"{slugify(title)[:60]}-{pk}"
            summary = prose.sentence(rng)[:390]
            blocks = prose.start(rng, 1500, 8000)
            moment = self.moment()
            created = moment
            published = rng.random() < 0.9
            month = None
            creator = rng.choice(self.office)
            for revision in range(1, versions[index] + 1):
                if revision > 1:
                    blocks = prose.edit(rng, blocks)
                    moment += dt.timedelta(days=rng.randint(1, 60))
                status = (
                    "published"
                    if published and (revision > 1 or versions[index] == 1)
                    else "planned"
                )
                if status == "published" and month is None:
                    month = moment.date().replace(day=1)
                history.append(
                    f"{pk}\t{title}\t{slug}\t{summary}\t{prose.body(blocks)}\t{status}\t"
                    f"{esc(month)}\t{revision}\t{history_id}\t{ts(moment)}\t"
                    f"{'Angelegt' if revision == 1 else 'Überarbeitet'}\t"
                    f"{'+' if revision == 1 else '~'}\t{creator}\t{creator}\n"
                )
                history_id += 1
            rows.append(
                f"{pk}\t{title}\t{slug}\t{summary}\t{prose.body(blocks)}\t{status}\t{esc(month)}\t"
                f"{versions[index]}\t{ts(created)}\t{ts(moment)}\t{creator}\n"
            )
            for person in {rng.choice(self.people_ids) for _ in range(rng.randint(1, 3))}:
                authors.append((self.works_for[person], person, pk))
            for topic in rng.sample(topics, min(len(topics), rng.randint(1, 2))):
                guide_topics.append((pk, topic))
            if rng.random() < 0.3:
                project = rng.choice(self.projects_list)
                guide_projects.append((pk, project.id))
                if project.results:
                    guide_results.append((pk, rng.choice(project.results)))
        written = copy_lines(
            "guides_guide",
            [
                "id",
                "title",
                "slug",
                "summary",
                "body",
                "status",
                "published_in",
                "revision",
                "created_at",
                "updated_at",
                "created_by_id",
            ],
            rows,
        )
        written += copy_lines(
            "guides_historicalguide",
            [
                "id",
                "title",
                "slug",
                "summary",
                "body",
                "status",
                "published_in",
                "revision",
                "history_id",
                "history_date",
                "history_change_reason",
                "history_type",
                "created_by_id",
                "history_user_id",
            ],
            history,
        )
        written += self._copy_with_ids(
            "guides_authorship", ["municipality_id", "person_id", "guide_id"], authors
        )
        written += self._copy_with_ids(
            "guides_guide_topics", ["guide_id", "topic_id"], guide_topics
        )
        written += self._copy_with_ids(
            "guides_guide_lead_projects", ["guide_id", "leadproject_id"], guide_projects
        )
        written += self._copy_with_ids(
            "guides_guide_results", ["guide_id", "result_id"], guide_results
        )
        return written

    def glossary(self) -> int:
        rng = self.rng
        with connection.cursor() as cursor:
            cursor.execute("SELECT lower(name), slug FROM guides_term")
            existing = cursor.fetchall()
        names = {name for name, _slug in existing}
        slugs = {slug for _name, slug in existing}
        count = self.n("terms")
        first = self.ids.take("guides_term", count)
        rows, related = [], []
        for index in range(count):
            pk = first + index
            while True:
                name = f"{rng.choice(STEMS)}{rng.choice(NOUNS).lower()}"
                if rng.random() < 0.3:
                    name = f"{rng.choice(NOUNS)}-{rng.choice(NOUNS)}"
                if name.lower() not in names:
                    break
            names.add(name.lower())
            slug = base = slugify(name)
            suffix = 2
            while slug in slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            slugs.add(slug)
            rows.append((pk, name, slug, self.prose.paragraph(rng), "", ts(self.moment())))
            if index:
                other = first + rng.randrange(index)
                related.append((pk, other))
                related.append((other, pk))
        written = copy_rows(
            "guides_term", ["id", "name", "slug", "definition", "synonyms", "updated_at"], rows
        )
        written += self._copy_with_ids(
            "guides_term_related", ["from_term_id", "to_term_id"], sorted(set(related))
        )
        return written

    # --- discussion and notifications --------------------------------------------------------

    def discussion(self) -> int:
        rng = self.rng
        count = self.n("comments")
        first = self.ids.take("discussion_comment", count)
        history_first = self.ids.take("discussion_historicalcomment", count, "history_id")
        project_type = self.content_type("projects", "leadproject")
        result_type = self.content_type("projects", "result")
        rows, history, follows = [], [], []
        last_on: dict[tuple[int, int | None], int] = {}
        for index in range(count):
            pk = first + index
            project = rng.choice(self.projects_list)
            result = rng.choice(project.results) if project.results and rng.random() < 0.6 else None
            # Comments come mostly from the team; public projects also from the network.
            if project.visibility == "team" or rng.random() < 0.6:
                author = rng.choice(project.team)[0]
            else:
                author = rng.choice(self.people_ids)
            parent = last_on.get((project.id, result)) if rng.random() < 0.3 else None
            at = project.created + dt.timedelta(minutes=rng.randint(10, 60 * 24 * 600))
            body = self.prose.paragraph(rng)
            values = (body, "", None, None, "", author, None, parent, project.id, None, result)
            rows.append(line(pk, *values[:2], ts(at), *values[2:]))
            history.append(
                line(
                    pk,
                    body,
                    "",
                    None,
                    None,
                    "",
                    history_first + index,
                    ts(at),
                    None,
                    "+",
                    author,
                    None,
                    author,
                    parent,
                    project.id,
                    None,
                    result,
                )
            )
            last_on[(project.id, result)] = pk
            follows.append(
                (author, result_type if result else project_type, result or project.id, ts(at))
            )
        written = copy_lines(
            "discussion_comment",
            [
                "id",
                "body",
                "quote",
                "created_at",
                "edited_at",
                "hidden_at",
                "hidden_reason",
                "author_id",
                "hidden_by_id",
                "parent_id",
                "project_id",
                "quoted_row_id",
                "result_id",
            ],
            rows,
        )
        written += copy_lines(
            "discussion_historicalcomment",
            [
                "id",
                "body",
                "quote",
                "edited_at",
                "hidden_at",
                "hidden_reason",
                "history_id",
                "history_date",
                "history_change_reason",
                "history_type",
                "author_id",
                "hidden_by_id",
                "history_user_id",
                "parent_id",
                "project_id",
                "quoted_row_id",
                "result_id",
            ],
            history,
        )
        written += self._follows(follows)
        return written

    def notifications(self) -> int:
        count = self.n("notifications")
        first = self.ids.take("workspace_notification", count)
        project_type = self.content_type("projects", "leadproject")
        result_type = self.content_type("projects", "result")
        results_by_id = {r.id: r for r in self.results_list}
        kinds = ["version"] * 6 + ["comment"] * 2 + ["reply", "mention", "status"]
        latest = _at(self.anchor)

        def lines(part: int):
            # A random per thousand rows: the same rows whatever the number of streams.
            for chunk in range(part, (count + 999) // 1000, self.jobs):
                rng = random.Random(self.seed * 7919 + chunk)
                yield from chunk_lines(rng, range(chunk * 1000, min(count, chunk * 1000 + 1000)))

        def chunk_lines(rng, indices):
            for index in indices:
                project = self.projects_list[index % len(self.projects_list)]
                recipient = rng.choice(project.team)[0]
                actor = rng.choice(project.team)[0]
                kind = rng.choice(kinds)
                if project.results and kind in ("version", "comment", "reply", "mention"):
                    result = results_by_id[rng.choice(project.results)]
                    target_type, target, title = result_type, result.id, result.title
                    url = f"/leitprojekte/{project.slug}/ergebnisse/{result.id}/"
                    detail = "Version aktualisiert" if kind == "version" else ""
                else:
                    target_type, target, title = project_type, project.id, project.slug
                    url = f"/leitprojekte/{project.slug}/"
                    detail = "läuft" if kind == "status" else ""
                    kind = "status" if kind == "version" else kind
                created = latest - dt.timedelta(seconds=rng.randrange(self.span_days * 86400))
                read = (
                    created + dt.timedelta(hours=rng.randint(1, 200))
                    if rng.random() < 0.7
                    else None
                )
                mailed = created + dt.timedelta(hours=1) if rng.random() < 0.9 else None
                yield (
                    f"{first + index}\t{kind}\t{target}\t{title}\t{detail}\t{url}\t{ts(created)}\t"
                    f"{ts(read) if read else esc(None)}\t{ts(mailed) if mailed else esc(None)}\t"
                    f"{actor}\t{recipient}\t{target_type}\n"
                )

        columns = [
            "id",
            "kind",
            "target_id",
            "title",
            "detail",
            "url",
            "created_at",
            "read_at",
            "mailed_at",
            "actor_id",
            "recipient_id",
            "target_type_id",
        ]
        return sum(
            self.parallel(lambda part: copy_lines("workspace_notification", columns, lines(part)))
        )

    # --- steering -------------------------------------------------------------------------

    def steering(self) -> int:
        from steering.models import Committee

        rng = self.rng
        Committee.objects.get_or_create(
            pk=Committee.objects.values_list("pk", flat=True).first() or 1
        )
        from steering.models import Seat

        # One seat per municipality (a vote is one per municipality); the demo world's
        # committee keeps its chair, so new seats are plain members beside it.
        has_chair = Seat.objects.filter(ends_on__isnull=True, role="chair").exists()
        seat_municipalities = rng.sample(self.pioneers, min(16, len(self.pioneers)))
        for municipality in self.members:
            if len(seat_municipalities) >= 16:
                break
            if municipality not in seat_municipalities:
                seat_municipalities.append(municipality)
        seats_count = len(seat_municipalities)
        seat_first = self.ids.take("steering_seat", seats_count)
        seats, seat_people = [], []
        for index in range(seats_count):
            municipality = seat_municipalities[index]
            person = rng.choice(self.staff_of.get(municipality) or self.people_ids)
            role = "member" if has_chair or index > 1 else "chair" if index == 0 else "deputy"
            seats.append((seat_first + index, role, self.start, None, municipality, person))
            seat_people.append((seat_first + index, municipality, person))
        written = copy_rows(
            "steering_seat",
            ["id", "role", "starts_on", "ends_on", "municipality_id", "person_id"],
            seats,
        )
        meetings = self.n("meetings")
        agreements = self.n("agreements")
        per_meeting = max(1, agreements // meetings)
        meeting_first = self.ids.take("steering_meeting", meetings)
        proposal_first = self.ids.take("steering_proposal", meetings * per_meeting)
        item_first = self.ids.take("steering_agendaitem", meetings * per_meeting)
        agreement_first = self.ids.take("steering_agreement", meetings * per_meeting)
        with connection.cursor() as cursor:
            cursor.execute("SELECT number FROM steering_agreement")
            taken_numbers = {n for (n,) in cursor.fetchall()}
        per_year: dict[int, int] = {}
        meeting_rows, proposals, parties, items, agreement_rows = [], [], [], [], []
        agreement_parties, votes, attendance = [], [], []
        versions, approvals = [], []
        results = {r.id: r for r in self.results_list}
        chair = seat_people[0][2]
        step = self.span_days / meetings
        held_until = self.anchor - dt.timedelta(days=14)
        for m in range(meetings):
            meeting_id = meeting_first + m
            day = self.start + dt.timedelta(days=int(m * step))
            starts = _at(day, 14 * 3600)
            held = day < held_until
            meeting_rows.append(
                (
                    meeting_id,
                    f"{m + 1}. Sitzung des Steuerkreises",
                    ts(starts),
                    "Rathaus, Sitzungssaal" if rng.random() < 0.6 else "",
                    "https://video.example.org/steuerkreis",
                    "approved" if held else "planned",
                    "Protokoll der Sitzung." if held else "",
                    ts(starts - dt.timedelta(days=14)) if held else None,
                    ts(starts + dt.timedelta(days=30)) if held else None,
                    chair,
                )
            )
            for seat_id, _municipality, _person in seat_people:
                if held and rng.random() < 0.9:
                    attendance.append((meeting_id, seat_id))
            for position in range(1, per_meeting + 1):
                index = m * per_meeting + position - 1
                proposal_id, item_id = proposal_first + index, item_first + index
                project = self.projects_list[index % len(self.projects_list)]
                pick = rng.random()
                pinned = [
                    results[r] for r in project.results[:2] if results[r].maturity == "tested"
                ]
                if pick < 0.15 and pinned:
                    kind, label = "approve_results", "Ergebnisstände"
                else:
                    kind = "start" if pick < 0.85 else "complete"
                    label = "Beginn" if kind == "start" else "Abschluss"
                    pinned = []
                title = f"Leitprojekt {project.slug[:60]}: {label}"
                for result in pinned:
                    versions.append((result.last_history, proposal_id))
                text = self.prose.paragraph(rng)
                drafter = project.team[0][0]
                proposals.append(
                    (
                        proposal_id,
                        kind,
                        "adopted" if held else "on_agenda",
                        title,
                        text,
                        None,
                        None,
                        ts(starts - dt.timedelta(days=20)),
                        None,
                        drafter,
                        project.id,
                    )
                )
                parties.append((True, "Federführung", project.lead, drafter, proposal_id))
                items.append(
                    (
                        item_id,
                        position,
                        title,
                        "adopted" if held else "",
                        ts(starts) if held else None,
                        meeting_id,
                        proposal_id,
                    )
                )
                if not held:
                    continue
                year = day.year
                number_index = per_year.get(year, 0) + 1
                while f"{year}-{number_index}" in taken_numbers:
                    number_index += 1
                per_year[year] = number_index
                yes = 0
                for seat_id, municipality, _person in seat_people:
                    choice = "yes" if rng.random() < 0.85 else rng.choice(["no", "abstain"])
                    yes += choice == "yes"
                    votes.append((choice, ts(starts), item_id, municipality, seat_id))
                no = sum(1 for v in votes[-seats_count:] if v[0] == "no")
                abstain = seats_count - yes - no
                agreement_id = agreement_first + index
                agreement_rows.append(
                    (
                        agreement_id,
                        f"{year}-{number_index}",
                        kind,
                        title,
                        text,
                        None,
                        None,
                        yes,
                        no,
                        abstain,
                        seats_count,
                        seats_count,
                        day,
                        ts(starts),
                        None,
                        item_id,
                        project.lead,
                        project.id,
                        chair,
                        meeting_id,
                        proposal_id,
                    )
                )
                agreement_parties.append(
                    (True, "Federführung", agreement_id, project.lead, drafter)
                )
                # "Agreed" is an approval record pinning the exact history row.
                for result in pinned:
                    approvals.append((agreement_id, result.last_history, result.id))
        written += copy_rows(
            "steering_meeting",
            [
                "id",
                "title",
                "starts_at",
                "place",
                "video_url",
                "state",
                "minutes",
                "invited_at",
                "minutes_approved_at",
                "created_by_id",
            ],
            meeting_rows,
        )
        written += copy_rows(
            "steering_proposal",
            [
                "id",
                "kind",
                "state",
                "title",
                "text",
                "starts_on",
                "ends_on",
                "created_at",
                "amends_id",
                "drafted_by_id",
                "project_id",
            ],
            proposals,
        )
        written += self._copy_with_ids(
            "steering_proposalparty",
            ["is_lead", "contribution", "municipality_id", "person_id", "proposal_id"],
            parties,
        )
        written += copy_rows(
            "steering_agendaitem",
            ["id", "position", "title", "outcome", "closed_at", "meeting_id", "proposal_id"],
            items,
        )
        written += self._copy_with_ids("steering_attendance", ["meeting_id", "seat_id"], attendance)
        written += self._copy_with_ids(
            "steering_vote", ["choice", "cast_at", "item_id", "municipality_id", "seat_id"], votes
        )
        written += copy_rows(
            "steering_agreement",
            [
                "id",
                "number",
                "kind",
                "title",
                "text",
                "starts_on",
                "ends_on",
                "votes_yes",
                "votes_no",
                "votes_abstain",
                "present",
                "voting",
                "adopted_on",
                "recorded_at",
                "amends_id",
                "item_id",
                "lead_id",
                "project_id",
                "recorded_by_id",
                "meeting_id",
                "proposal_id",
            ],
            agreement_rows,
        )
        written += self._copy_with_ids(
            "steering_agreementparty",
            ["is_lead", "contribution", "agreement_id", "municipality_id", "person_id"],
            agreement_parties,
        )
        written += self._copy_with_ids(
            "steering_proposalversion", ["history_row_id", "proposal_id"], versions
        )
        written += self._copy_with_ids(
            "steering_approval", ["agreement_id", "history_row_id", "result_id"], approvals
        )
        return written

    # --- dates, newsletter ------------------------------------------------------------------

    def dates(self) -> int:
        rng = self.rng
        count = self.n("dates")
        first = self.ids.take("dates_appointment", count)
        rows, registrations = [], []
        per = max(1, self.n("registrations") // count)
        end = self.anchor + dt.timedelta(days=365)
        days = (end - self.start).days
        for index in range(count):
            pk = first + index
            kind = rng.choice(["klassentreffen", "pausenhof", "pausenhof", "sonstiges"])
            starts = _at(self.start + dt.timedelta(days=int(index * days / count)), 15 * 3600)
            ends = starts + dt.timedelta(hours=1 if kind == "pausenhof" else 6)
            creator = rng.choice(self.office)
            online = kind == "pausenhof"
            rows.append(
                (
                    pk,
                    kind,
                    f"{'Pausenhof' if online else 'Klassentreffen'}: {self.prose.title(rng)}",
                    ts(starts),
                    ts(ends),
                    "" if online else f"Rathaus {rng.choice(STEMS)}stadt",
                    "https://video.example.org/pausenhof" if online else "",
                    "",
                    self.prose.paragraph(rng),
                    None if online else rng.randint(20, 200),
                    0,
                    ts(starts - dt.timedelta(days=40)),
                    ts(starts - dt.timedelta(days=40)),
                    creator,
                )
            )
            if online:
                continue
            for person in rng.sample(self.people_ids, min(len(self.people_ids), per * 2)):
                status = "confirmed" if rng.random() < 0.9 else "cancelled"
                at = starts - dt.timedelta(days=rng.randint(1, 39))
                registrations.append(
                    (
                        status,
                        ts(at),
                        None,
                        ts(at + dt.timedelta(hours=2)) if status == "cancelled" else None,
                        ts(starts - dt.timedelta(days=1)) if starts < _at(self.anchor) else None,
                        pk,
                        person,
                    )
                )
        written = copy_rows(
            "dates_appointment",
            [
                "id",
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "place",
                "video_url",
                "speaker_name",
                "description",
                "capacity",
                "sequence",
                "created_at",
                "updated_at",
                "created_by_id",
            ],
            rows,
        )
        written += self._copy_with_ids(
            "dates_registration",
            [
                "status",
                "created_at",
                "moved_up_at",
                "cancelled_at",
                "reminded_at",
                "appointment_id",
                "user_id",
            ],
            registrations,
        )
        from workspace.models import Topic

        topics = list(Topic.objects.values_list("pk", flat=True))
        written += self._copy_with_ids(
            "dates_appointment_topics",
            ["appointment_id", "topic_id"],
            [(first + i, rng.choice(topics)) for i in range(count) if topics and i % 2 == 0],
        )
        return written

    def newsletter(self) -> int:
        rng = self.rng
        count = self.n("subscribers")
        first = self.ids.take("newsletter_subscriber", count)
        rows, logs = [], []
        for index in range(count):
            pk = first + index
            signed = self.moment()
            pick = rng.random()
            state = "confirmed" if pick < 0.85 else "pending" if pick < 0.9 else "unsubscribed"
            confirmed = (
                signed + dt.timedelta(minutes=rng.randint(1, 600)) if state != "pending" else None
            )
            left = (
                confirmed + dt.timedelta(days=rng.randint(1, 400))
                if state == "unsubscribed"
                else None
            )
            token = hashlib.sha256(f"{self.seed}-{pk}".encode()).hexdigest()
            rows.append(
                (
                    pk,
                    f"leser{pk}@schule-{pk % 997}.example",
                    state,
                    "2024-01",
                    ts(signed),
                    ts(confirmed) if confirmed else None,
                    ts(left) if left else None,
                    token if state == "pending" else "",
                    ts(signed + dt.timedelta(days=7)) if state == "pending" else None,
                    ts(confirmed) if confirmed else None,
                    token[:32],
                )
            )
            logs.append(("signup", ts(signed), "2024-01", "Website", pk))
            if confirmed:
                logs.append(("confirm", ts(confirmed), "2024-01", "Link in der E-Mail", pk))
            if left:
                logs.append(("unsubscribe", ts(left), "2024-01", "Link in der E-Mail", pk))
        written = copy_rows(
            "newsletter_subscriber",
            [
                "id",
                "email",
                "state",
                "consent_version",
                "signed_up_at",
                "confirmed_at",
                "unsubscribed_at",
                "confirm_token_hash",
                "confirm_token_expires_at",
                "confirm_token_used_at",
                "unsubscribe_key",
            ],
            rows,
        )
        written += self._copy_with_ids(
            "newsletter_subscriptionlog",
            ["action", "at", "consent_version", "via", "subscriber_id"],
            logs,
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(number), 0) FROM newsletter_issue")
            number = cursor.fetchone()[0]
        issues = self.n("issues")
        issue_first = self.ids.take("newsletter_issue", issues)
        issue_rows, items = [], []
        for index in range(issues):
            pk = issue_first + index
            published = _at(self.start + dt.timedelta(days=int(index * self.span_days / issues)))
            editor = rng.choice(self.office)
            issue_rows.append(
                (
                    pk,
                    number + index + 1,
                    f"Schülerzeitung {number + index + 1}",
                    self.prose.paragraph(rng),
                    "sent",
                    ts(published),
                    ts(published),
                    ts(published),
                    ts(published + dt.timedelta(hours=2)),
                    "",
                    None,
                    "",
                    editor,
                    editor,
                )
            )
            for position in range(rng.randint(3, 6)):
                municipality = rng.choice(self.members)
                author = rng.choice(self.staff_of.get(municipality) or self.people_ids)
                items.append(
                    (
                        self.prose.title(rng),
                        self.prose.paragraph(rng),
                        "",
                        "",
                        "",
                        "",
                        ts(published - dt.timedelta(days=5)),
                        "accepted",
                        "",
                        ts(published - dt.timedelta(days=2)),
                        position,
                        pk,
                        municipality,
                        editor,
                        author,
                    )
                )
        written += copy_rows(
            "newsletter_issue",
            [
                "id",
                "number",
                "title",
                "editorial",
                "state",
                "created_at",
                "updated_at",
                "published_at",
                "finished_at",
                "lease_holder",
                "lease_until",
                "watchdog_id",
                "created_by_id",
                "published_by_id",
            ],
            issue_rows,
        )
        written += self._copy_with_ids(
            "newsletter_newsitem",
            [
                "title",
                "body",
                "link",
                "image",
                "image_content_type",
                "image_alt",
                "submitted_at",
                "state",
                "review_note",
                "reviewed_at",
                "position",
                "issue_id",
                "municipality_id",
                "reviewed_by_id",
                "submitted_by_id",
            ],
            items,
        )
        return written

    # --- join requests, calendar feeds, improvement offers -----------------------------------

    def joining(self) -> int:
        """Every member joined by a request the office accepted; a few wait or were declined.
        Some people subscribe to the dates as a calendar feed; some adopters offer back."""
        rng = self.rng
        rows = []
        for municipality in self.members:
            contact = self.staff_of.get(municipality, [None])[0]
            if contact is None:
                continue
            at = self.moment()
            rows.append(
                (
                    self.municipality_names[municipality],
                    self.names[contact],
                    "Schulverwaltung",
                    f"p{contact}@{self.municipality_slugs[municipality]}.example",
                    "Wir möchten mitmachen.",
                    "2024-01",
                    ts(at),
                    "accepted",
                    ts(at + dt.timedelta(days=rng.randint(1, 30))),
                    "",
                    rng.choice(self.office),
                    None,
                    municipality,
                )
            )
        others = [m for m in self.municipalities if m not in set(self.members)]
        for municipality in rng.sample(others, min(len(others), max(3, len(others) // 50))):
            status = rng.choice(["open", "open", "declined"])
            at = _at(self.anchor) - dt.timedelta(days=rng.randint(1, 60))
            rows.append(
                (
                    self.municipality_names[municipality],
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "Bürgermeisteramt",
                    f"info@{self.municipality_slugs[municipality]}.example",
                    self.prose.sentence(rng),
                    "2024-01",
                    ts(at),
                    status,
                    ts(at + dt.timedelta(days=2)) if status != "open" else None,
                    "Bitte später erneut." if status == "declined" else "",
                    rng.choice(self.office) if status != "open" else None,
                    None,
                    municipality,
                )
            )
        written = self._copy_with_ids(
            "joining_joinrequest",
            [
                "municipality_name",
                "contact_name",
                "function",
                "email",
                "message",
                "consent_version",
                "created_at",
                "status",
                "decided_at",
                "decision_note",
                "decided_by_id",
                "first_request_id",
                "municipality_id",
            ],
            rows,
        )
        feeds = rng.sample(self.people_ids, max(1, len(self.people_ids) // 20))
        written += self._copy_with_ids(
            "dates_feedtoken",
            ["token", "created_at", "user_id"],
            [
                (
                    hashlib.sha256(f"{self.seed}-feed-{pk}".encode()).hexdigest()[:43],
                    ts(self.moment()),
                    pk,
                )
                for pk in feeds
            ],
        )
        offers = []
        for adoption_id, copy_history, adopted_row, by, at in self.adoption_rows[
            : max(1, len(self.adoption_rows) // 15)
        ]:
            status = rng.choice(["open", "open", "declined"])
            offers.append(
                (
                    self.prose.sentence(rng),
                    status,
                    ts(at + dt.timedelta(days=10)),
                    ts(at + dt.timedelta(days=20)) if status != "open" else None,
                    "Passt nicht zu unserem Stand." if status != "open" else "",
                    adoption_id,
                    adopted_row,
                    copy_history,
                    rng.choice(self.office) if status != "open" else None,
                    by,
                    None,
                )
            )
        written += self._copy_with_ids(
            "projects_offer",
            [
                "message",
                "status",
                "offered_at",
                "decided_at",
                "decision_note",
                "adoption_id",
                "base_row_id",
                "copy_row_id",
                "decided_by_id",
                "offered_by_id",
                "source_row_id",
            ],
            offers,
        )
        return written

    # --- attachments, tokens, security log ---------------------------------------------------

    def attachments(self) -> int:
        rng = self.rng
        count = min(self.n("attachments"), len(self.results_list) * 3)
        first = self.ids.take("projects_resultattachment", count)
        rows = []
        for index in range(count):
            pk = first + index
            result = self.results_list[rng.randrange(len(self.results_list))]
            text = f"Notiz {pk}: {self.prose.sentence(rng)}\n"
            data = text.encode()
            name = f"notiz-{pk}.txt"
            path = f"ergebnisse/{result.id}/{name}"
            saved = default_storage.save(path, ContentFile(data))
            uploader = rng.choice(
                [p for p, role in self._team_of(result.project) if role != "observer"]
            )
            rows.append(
                (
                    pk,
                    saved,
                    name,
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                    "text/plain",
                    ts(result.last_at),
                    result.id,
                    uploader,
                    None,
                    None,
                    None,
                    "clean",
                    text,
                )
            )
        return copy_rows(
            "projects_resultattachment",
            [
                "id",
                "file",
                "name",
                "size",
                "sha256",
                "content_type",
                "uploaded_at",
                "result_id",
                "uploaded_by_id",
                "removed_at",
                "removed_by_id",
                "replaces_id",
                "status",
                "text",
            ],
            rows,
        )

    def _team_of(self, project_id: int) -> list[tuple[int, str]]:
        return self._team_project(project_id).team

    def _team_project(self, project_id: int) -> ProjectRow:
        if not hasattr(self, "_project_index"):
            self._project_index = {p.id: p for p in self.projects_list}
        return self._project_index[project_id]

    def parallel(self, work) -> list:
        """``work(part)`` for each of ``jobs`` parts, each in a thread with a connection of its
        own (two COPY streams keep two server processes busy); one part runs here."""
        if self.jobs == 1:
            return [work(0)]
        results: dict[int, object] = {}
        errors: list[BaseException] = []

        def run(part: int) -> None:
            try:
                results[part] = work(part)
            except BaseException as error:  # noqa: BLE001 – re-raised in the caller
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(part,)) for part in range(self.jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return [results[part] for part in range(self.jobs)]

    def security(self) -> int:
        rng = self.rng
        tokens = self.n("tokens")
        token_first = self.ids.take("workspace_accesstoken", tokens)
        token_rows = []
        for index in range(tokens):
            pk = token_first + index
            prefix = f"{pk:08x}"[-8:]
            secret = hashlib.sha256(f"{self.seed}-token-{pk}".encode()).hexdigest()
            created = self.moment()
            token_rows.append(
                (
                    pk,
                    f"Skript {index + 1}",
                    rng.choice(["read", "read", "write"]),
                    prefix,
                    hashlib.sha256(f"kr_{prefix}_{secret}".encode()).hexdigest(),
                    ts(created),
                    ts(created + dt.timedelta(days=365)) if rng.random() < 0.5 else None,
                    None,
                    ts(created + dt.timedelta(days=30)) if rng.random() < 0.1 else None,
                    rng.choice(self.people_ids),
                )
            )
        written = copy_rows(
            "workspace_accesstoken",
            [
                "id",
                "name",
                "scope",
                "prefix",
                "digest",
                "created_at",
                "expires_at",
                "last_used_at",
                "revoked_at",
                "user_id",
            ],
            token_rows,
        )
        events = self.n("security_events")
        event_first = self.ids.take("audit_securityevent", events)
        latest = _at(self.anchor)

        def lines():
            for index in range(events):
                account = rng.choice(self.people_ids)
                at = latest - dt.timedelta(seconds=rng.randrange(380 * 86400))
                kind = "login" if rng.random() < 0.9 else "login_failed"
                address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                yield line(event_first + index, ts(at), kind, "", address, "{}", account, None)

        written += copy_lines(
            "audit_securityevent",
            ["id", "at", "kind", "provider", "address", "detail", "account_id", "by_id"],
            lines(),
        )
        return written

    # --- the whole world ----------------------------------------------------------------------

    AREAS = [
        ("geography", "Kommunen, Kreise, Länder, Klassen"),
        ("people", "Personen und Zugehörigkeiten"),
        ("projects", "Leitprojekte, Teams und Rechte"),
        ("results", "Ergebnisse und Versionen"),
        ("templates", "Vorlagen und Nachnutzungen"),
        ("guides", "Leitfäden"),
        ("glossary", "Vokabelheft"),
        ("discussion", "Kommentare"),
        ("notifications", "Benachrichtigungen"),
        ("steering", "Steuerkreis"),
        ("dates", "Termine und Anmeldungen"),
        ("newsletter", "Schülerzeitung"),
        ("joining", "Beitrittsanfragen, Kalender-Abos, Verbesserungsangebote"),
        ("attachments", "Anhänge"),
        ("security", "Zugangsschlüssel und Sicherheitsprotokoll"),
    ]

    def build(self) -> None:
        with connection.cursor() as cursor:
            # lz4 compresses the big texts several times faster than the default pglz.
            try:
                cursor.execute("SET default_toast_compression = lz4")
            except Exception:  # noqa: BLE001, S110 – a server without lz4 keeps pglz
                pass
        for name, label in self.AREAS:
            self.run(getattr(self, name), label)
        self.ids.finish()
