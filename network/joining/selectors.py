"""Reads of joining: the classes, the network's growth, the requests waiting for a decision."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone

from network.joining.models import Invitation, JoinRequest
from workspace.models import Cohort, District, Municipality


def cohorts_with_members() -> list[Cohort]:
    """Every class with its member municipalities (two queries)."""
    members = Municipality.objects.members().order_by("name")
    return list(
        Cohort.objects.order_by("-year").prefetch_related(
            Prefetch("municipalities", queryset=members, to_attr="members")
        )
    )


def pioneers() -> list[Municipality]:
    return list(Municipality.objects.pioneers().order_by("name"))


@dataclass(frozen=True)
class GrowthStep:
    """One month in which municipalities joined: who, how many, and the total after it."""

    month: datetime.date  # first day of the month
    joined: tuple[str, ...]
    total: int

    @property
    def label(self) -> str:
        return formats.date_format(self.month, "F Y")

    @property
    def iso(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class Growth:
    steps: list[GrowthStep]
    undated: int  # members without a date of joining: counted in the total, not in the chart

    @property
    def total(self) -> int:
        return (self.steps[-1].total if self.steps else 0) + self.undated


def network_growth() -> Growth:
    """Members per month of joining, cumulated (one query, at most one row per member)."""
    rows = list(
        Municipality.objects.members()
        .order_by("joined_on", "name")
        .values_list("name", "joined_on")
    )
    by_month: dict[datetime.date, list[str]] = {}
    undated = 0
    for name, joined_on in rows:
        if joined_on is None:
            undated += 1
            continue
        by_month.setdefault(joined_on.replace(day=1), []).append(name)
    steps, total = [], 0
    for month in sorted(by_month):
        total += len(by_month[month])
        steps.append(GrowthStep(month=month, joined=tuple(by_month[month]), total=total))
    return Growth(steps=steps, undated=undated)


# --- The chart ----------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def _months_between(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _nice_ceiling(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100):
        if value <= step * 6:
            return max(step, -(-value // step) * step)
    return value


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    step: GrowthStep


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class GrowthChart:
    """Coordinates for the server-rendered SVG; the template only draws them."""

    width: int
    height: int
    points: list[ChartPoint]
    path: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    baseline: float
    left: float
    right: float

    @property
    def y_label_x(self) -> float:
        return self.left - 8

    @property
    def tick_end(self) -> float:
        return self.baseline + 6

    @property
    def x_label_y(self) -> float:
        return self.baseline + 24


def growth_chart(growth: Growth, today: datetime.date | None = None) -> GrowthChart | None:
    """A step line of the total over time, from the first month of joining until today."""
    if not growth.steps:
        return None
    today = today or timezone.localdate()
    first = growth.steps[0].month
    last = max(today.replace(day=1), growth.steps[-1].month)
    span = max(_months_between(first, last), 1)
    top_value = _nice_ceiling(growth.steps[-1].total)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(month: datetime.date) -> float:
        return round(LEFT + plot_w * _months_between(first, month) / span, 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top_value), 1)

    points = [ChartPoint(x=x_of(s.month), y=y_of(s.total), step=s) for s in growth.steps]
    # A step line: flat until the next month of joining, then up.
    commands = [f"M {points[0].x} {y_of(0)}", f"V {points[0].y}"]
    for point in points[1:]:
        commands += [f"H {point.x}", f"V {point.y}"]
    commands.append(f"H {x_of(last)}")
    years = range(first.year + (first.month > 1), last.year + 1)
    x_ticks = [Tick(x_of(datetime.date(year, 1, 1)), str(year)) for year in years]
    if not x_ticks:
        x_ticks = [Tick(x_of(first), str(first.year))]
    y_step = top_value // 5 if top_value % 5 == 0 else top_value
    y_ticks = [Tick(y_of(v), str(v)) for v in range(0, top_value + 1, y_step)]
    return GrowthChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        path=" ".join(commands),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        baseline=y_of(0),
        left=LEFT,
        right=WIDTH - RIGHT,
    )


# --- Requests and invitations -------------------------------------------------------------


def open_requests() -> QuerySet[JoinRequest]:
    """First requests waiting for a decision, with the repeats joined to them (two queries)."""
    return (
        JoinRequest.objects.open()
        .first_requests()
        .select_related("municipality")
        .prefetch_related(Prefetch("repeats", queryset=JoinRequest.objects.order_by("created_at")))
        .order_by("created_at", "pk")
    )


def decided_requests(limit: int = 50) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.exclude(status=JoinRequest.Status.OPEN)
        .first_requests()
        .select_related("municipality", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def request_counts() -> Counter:
    return Counter(JoinRequest.objects.first_requests().values_list("status", flat=True))


def pending_invitations(municipality: Municipality) -> QuerySet[Invitation]:
    return municipality.invitations.pending().select_related("invited_by").order_by("-created_at")


# --- What the join form offers --------------------------------------------------------------

# Up to this many municipalities the join form offers them all in one list, grouped by
# district; beyond it (a state's or the nation's thousands), it asks for the district first.
JOIN_LIST_LIMIT = 400


@dataclass(frozen=True)
class JoinChoices:
    """The municipalities the join form's list offers, and the districts to choose from first
    when there are too many for one list (``districts`` is then set)."""

    municipalities: list[Municipality]
    districts: list[District] | None = None
    district: District | None = None

    def grouped(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Choices for a select: one group per district, its towns by name (two districts of
        the same name in different states stay two groups)."""
        groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
        for municipality in self.municipalities:
            district = municipality.district
            groups.setdefault(district.pk, (district.name, []))[1].append(
                (municipality.slug, municipality.name)
            )
        return list(groups.values())


def join_choices(district_slug: str = "") -> JoinChoices:
    """The join form's list in at most three queries, at any number of municipalities."""
    by_district = Municipality.objects.select_related("district").order_by(
        "district__name", "district_id", "name", "pk"
    )
    everything = list(by_district[: JOIN_LIST_LIMIT + 1])
    if len(everything) <= JOIN_LIST_LIMIT:
        return JoinChoices(municipalities=everything)
    districts = list(District.objects.select_related("state").order_by("state__name", "name"))
    chosen = next((d for d in districts if d.slug == district_slug), None)
    towns = list(by_district.filter(district=chosen)) if chosen else []
    return JoinChoices(municipalities=towns, districts=districts, district=chosen)
