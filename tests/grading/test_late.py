"""Due dates and the late policy: every policy form, what lateness costs, and
how times from the configuration and the LMS are read."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import time
import zoneinfo

import pytest

from course_tools.grading.late import Lateness, LatePolicy, parse_due, parse_time

UTC = dt.UTC
DUE = dt.datetime(2027, 1, 25, 23, 59, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)
PERIODS = {
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(weeks=1),
}
POLICY_MESSAGE = r"c\.Term\.late_policy must be"

# (text, kind, rate, period, cap)
FORMS = [
    ("none", "none", 0.0, "day", 1.0),
    ("NONE", "none", 0.0, "day", 1.0),
    ("  None  ", "none", 0.0, "day", 1.0),
    ("zero", "zero", 0.0, "day", 1.0),
    (" Zero", "zero", 0.0, "day", 1.0),
    ("10% per day", "rate", 0.10, "day", 1.0),
    ("10 % a day", "rate", 0.10, "day", 1.0),
    ("5% each hour", "rate", 0.05, "hour", 1.0),
    ("12.5% per week, up to 50%", "rate", 0.125, "week", 0.5),
    ("10% per day, at most 50%", "rate", 0.10, "day", 0.5),
    ("10%   per   day ,  at  most  30%", "rate", 0.10, "day", 0.3),
    ("10% PER DAY, AT MOST 30%", "rate", 0.10, "day", 0.3),
    ("10% per Day, max 30%", "rate", 0.10, "day", 0.3),
    ("10% per day, maximum 30.5%", "rate", 0.10, "day", 0.305),
    ("100% per hour", "rate", 1.0, "hour", 1.0),
    ("0.5% per hour, at most 100%", "rate", 0.005, "hour", 1.0),
]

BAD_FORMS = [
    "",
    "   ",
    "10%",
    "10 per day",
    "10% per fortnight",
    "10% per days",
    "0% per day",
    "0.0% per day",
    "101% per day",
    "-10% per day",
    "10% per day, at most 0%",
    "10% per day, at most 150%",
    "10% per day at most 50%",
    "10% per day, at least 50%",
    "10% per day, at most 50% extra",
    "10% per day; at most 50%",
    "ten percent per day",
    "zero please",
    "nonee",
    "10%% per day",
    "1e1% per day",
]

# One of each kind, with and without a cap and a grace period.
POLICIES = [
    LatePolicy.parse("none"),
    LatePolicy.parse("zero", 15),
    LatePolicy.parse("10% per day"),
    LatePolicy.parse("10% per day, at most 25%", 15),
    LatePolicy.parse("5% per hour, at most 50%", 0.5),
    LatePolicy.parse("33% per week"),
    LatePolicy.parse("100% per hour"),
    LatePolicy.parse("12.5% per day, at most 100%", 60),
]


def _ids(policies: list[LatePolicy]) -> list[str]:
    return [p.describe() for p in policies]


def _lateness_samples(policy: LatePolicy, seed: int, count: int = 400) -> list:
    """Times after the due date: around every period boundary and the grace, and
    random ones up to 60 periods late."""
    rng = random.Random(seed)
    out = [dt.timedelta(0), SECOND, policy.grace, policy.grace + SECOND]
    for n in range(1, 12):
        edge = policy.period * n
        out += [edge - SECOND, edge, edge + SECOND]
    for _ in range(count):
        out.append(
            dt.timedelta(seconds=rng.uniform(0, 60 * policy.period.total_seconds()))
        )
    return sorted(t for t in out if t >= dt.timedelta(0))


def _expected_fraction(policy: LatePolicy, late_by: dt.timedelta) -> float:
    """Canvas's count: every started period after the due date costs the rate."""
    if late_by <= policy.grace or policy.kind == "none":
        return 0.0
    if policy.kind == "zero":
        return 1.0
    periods = max(1, math.ceil(late_by.total_seconds() / policy.period.total_seconds()))
    return min(policy.cap, policy.rate * periods)


# --------------------------------------------------------------------------
# LatePolicy.parse
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "rate", "period", "cap"), FORMS)
def test_every_policy_form_parses(text, kind, rate, period, cap):
    policy = LatePolicy.parse(text)
    assert policy.kind == kind
    assert policy.rate == pytest.approx(rate)
    assert policy.period == PERIODS[period]
    assert policy.cap == pytest.approx(cap)
    assert policy.grace == dt.timedelta(0)


@pytest.mark.parametrize("text", BAD_FORMS)
def test_a_bad_policy_raises_with_the_configuration_name(text):
    with pytest.raises(ValueError, match=POLICY_MESSAGE) as caught:
        LatePolicy.parse(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("minutes", [0, 15, 0.5, 90.25, 10_000])
def test_grace_minutes_become_the_grace_period(minutes):
    for text, *_ in FORMS:
        policy = LatePolicy.parse(text, minutes)
        assert policy.grace == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "minutes", [-1, -0.001, float("nan"), float("inf"), True, "15", None]
)
def test_bad_grace_minutes_raise(minutes):
    with pytest.raises(ValueError, match=r"c\.Term\.grace_minutes must be"):
        LatePolicy.parse("10% per day", minutes)


def test_a_huge_grace_period_raises_value_error():
    with pytest.raises(ValueError, match=r"c\.Term\.grace_minutes must be"):
        LatePolicy.parse("10% per day", 1e13)


# --------------------------------------------------------------------------
# LatePolicy.fraction
# --------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES, ids=_ids(POLICIES))
@pytest.mark.parametrize("seed", range(3))
def test_fraction_is_monotone_bounded_and_follows_started_periods(policy, seed):
    samples = _lateness_samples(policy, seed)
    fractions = [policy.fraction(Lateness.of(t, policy)) for t in samples]
    for before, after in itertools.pairwise(fractions):
        assert before <= after
    for late_by, fraction in zip(samples, fractions, strict=True):
        assert 0.0 <= fraction <= (policy.cap if policy.kind == "rate" else 1.0)
        assert fraction == pytest.approx(_expected_fraction(policy, late_by))


@pytest.mark.parametrize("policy", POLICIES, ids=_ids(POLICIES))
def test_nothing_is_lost_inside_the_grace_period(policy):
    for late_by in (-dt.timedelta(days=3), dt.timedelta(0), policy.grace):
        lateness = Lateness.of(late_by, policy)
        assert not lateness.late
        assert lateness.late_by is None
        assert policy.fraction(lateness) == 0.0
    just_after = Lateness.of(policy.grace + SECOND, policy)
    assert just_after.late
    assert just_after.late_by == policy.grace + SECOND


@pytest.mark.parametrize("period", ["hour", "day", "week"])
@pytest.mark.parametrize("grace", [0, 15])
def test_one_started_period_counts_fully(period, grace):
    policy = LatePolicy.parse(f"10% per {period}", grace)
    step = PERIODS[period]
    first = policy.grace + SECOND
    assert policy.fraction(Lateness.of(first, policy)) == pytest.approx(0.10)
    assert policy.fraction(Lateness.of(step, policy)) == pytest.approx(0.10)
    assert policy.fraction(Lateness.of(step + SECOND, policy)) == pytest.approx(0.20)
    assert policy.fraction(Lateness.of(3 * step, policy)) == pytest.approx(0.30)
    microsecond = dt.timedelta(microseconds=1)
    assert policy.fraction(
        Lateness.of(3 * step + microsecond, policy)
    ) == pytest.approx(0.40)


@pytest.mark.parametrize(
    "text", ["10% per day, at most 25%", "30% per hour, at most 50%"]
)
def test_fraction_stops_at_the_cap(text):
    policy = LatePolicy.parse(text)
    for periods in (10, 100, 10_000):
        lateness = Lateness.of(policy.period * periods, policy)
        assert policy.fraction(lateness) == pytest.approx(policy.cap)


def test_fraction_without_a_cap_stops_at_everything():
    policy = LatePolicy.parse("10% per day")
    assert policy.fraction(Lateness.of(dt.timedelta(days=9), policy)) == 0.9
    assert policy.fraction(Lateness.of(dt.timedelta(days=10), policy)) == 1.0
    assert policy.fraction(Lateness.of(dt.timedelta(days=400), policy)) == 1.0


def test_fractions_are_not_float_noise():
    policy = LatePolicy.parse("10% per day")
    for days in range(1, 11):
        fraction = policy.fraction(Lateness.of(dt.timedelta(days=days), policy))
        assert fraction == round(days / 10, 10)


@pytest.mark.parametrize("grace", [0, 15])
def test_zero_policy_takes_everything_from_late_work(grace):
    policy = LatePolicy.parse("zero", grace)
    for late_by in (policy.grace + SECOND, dt.timedelta(days=1), dt.timedelta(days=90)):
        assert policy.fraction(Lateness.of(late_by, policy)) == 1.0
    assert policy.fraction(Lateness(late=True, late_by=None)) == 1.0
    assert policy.fraction(Lateness.of(policy.grace, policy)) == 0.0


def test_none_policy_flags_late_work_but_never_penalises_it():
    policy = LatePolicy.parse("none")
    for late_by in (SECOND, dt.timedelta(days=1), dt.timedelta(weeks=52)):
        lateness = Lateness.of(late_by, policy)
        assert lateness.late is True
        assert lateness.late_by == late_by
        assert policy.fraction(lateness) == 0.0
    flagged = Lateness.find(DUE, None, True, policy)
    assert flagged.late is True
    assert policy.fraction(flagged) == 0.0


@pytest.mark.parametrize("policy", POLICIES, ids=_ids(POLICIES))
def test_flagged_without_a_time_counts_as_one_period(policy):
    flagged = Lateness.find(DUE, None, True, policy)
    assert flagged == Lateness(late=True, late_by=None)
    one_period = Lateness.of(policy.period, policy)
    assert policy.fraction(flagged) == policy.fraction(one_period)
    if policy.kind == "rate":
        assert policy.fraction(flagged) == pytest.approx(min(policy.rate, policy.cap))


def test_on_time_work_loses_nothing_under_any_policy():
    for policy in POLICIES:
        assert policy.fraction(Lateness()) == 0.0
        assert policy.fraction(Lateness(late=False, late_by=None)) == 0.0


# --------------------------------------------------------------------------
# Lateness.find
# --------------------------------------------------------------------------


@pytest.mark.parametrize("flagged", [False, True])
@pytest.mark.parametrize(
    "offset",
    [
        -dt.timedelta(days=2),
        -SECOND,
        dt.timedelta(0),
        dt.timedelta(minutes=15),
        dt.timedelta(minutes=15, seconds=1),
        dt.timedelta(hours=30),
    ],
)
def test_find_with_both_times_ignores_the_flag(offset, flagged):
    policy = LatePolicy.parse("10% per day", 15)
    found = Lateness.find(DUE, DUE + offset, flagged, policy)
    assert found == Lateness.of(offset, policy)
    assert found.late is (offset > policy.grace)


@pytest.mark.parametrize(
    ("due", "submitted"),
    [(None, DUE), (DUE, None), (None, None)],
    ids=["no due date", "no time", "neither"],
)
def test_find_without_both_times_follows_the_flag(due, submitted):
    policy = LatePolicy.parse("10% per day")
    assert Lateness.find(due, submitted, True, policy) == Lateness(True, None)
    assert Lateness.find(due, submitted, False, policy) == Lateness(False, None)


@pytest.fixture
def local_time_elsewhere(monkeypatch):
    """The machine's own zone far from UTC, so that naive-as-local would show."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("seed", range(5))
def test_naive_datetimes_are_utc(seed, local_time_elsewhere):
    rng = random.Random(seed)
    policy = LatePolicy.parse("10% per hour", rng.choice([0, 15]))
    for _ in range(50):
        due = DUE + dt.timedelta(minutes=rng.randint(-10_000, 10_000))
        submitted = due + dt.timedelta(seconds=rng.randint(-7200, 7 * 86400))
        aware = Lateness.find(due, submitted, False, policy)
        naive_due = due.replace(tzinfo=None)
        naive_sub = submitted.replace(tzinfo=None)
        assert Lateness.find(naive_due, submitted, False, policy) == aware
        assert Lateness.find(due, naive_sub, False, policy) == aware
        assert Lateness.find(naive_due, naive_sub, False, policy) == aware


def test_find_compares_instants_across_zones():
    policy = LatePolicy.parse("10% per hour")
    new_york = zoneinfo.ZoneInfo("America/New_York")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    due = dt.datetime(2027, 1, 25, 23, 59, tzinfo=new_york)  # 04:59 UTC
    submitted = dt.datetime(2027, 1, 26, 14, 0, tzinfo=tokyo)  # 05:00 UTC
    found = Lateness.find(due, submitted, False, policy)
    assert found == Lateness(True, dt.timedelta(minutes=1))
    early = dt.datetime(2027, 1, 26, 13, 0, tzinfo=tokyo)  # 04:00 UTC
    assert not Lateness.find(due, early, True, policy).late


# --------------------------------------------------------------------------
# describe()
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grace", "words"),
    [
        ("none", 0, "late work is flagged but not penalised"),
        ("zero", 0, "late work scores 0"),
        ("10% per day, at most 25%", 0, "10% per day or part of one, at most 25%"),
        ("5% per hour", 0, "5% per hour or part of one"),
        ("12.5% per week, up to 100%", 0, "12.5% per week or part of one"),
        ("7% per day", 0, "7% per day or part of one"),
        (
            "10% per day, at most 50%",
            15,
            "10% per day or part of one, at most 50% (after 15 minutes' grace)",
        ),
        ("zero", 0.5, "late work scores 0 (after 0.5 minutes' grace)"),
        (
            "none",
            90,
            "late work is flagged but not penalised (after 90 minutes' grace)",
        ),
    ],
)
def test_policy_describe(text, grace, words):
    assert LatePolicy.parse(text, grace).describe() == words


@pytest.mark.parametrize("text", [form[0] for form in FORMS])
def test_a_described_rate_policy_parses_back_to_itself(text):
    policy = LatePolicy.parse(text)
    if policy.kind != "rate":
        return
    words = policy.describe().replace(" or part of one", "")
    assert LatePolicy.parse(words) == policy


@pytest.mark.parametrize(
    ("lateness", "words"),
    [
        (Lateness(), "on time"),
        (Lateness(False, dt.timedelta(hours=5)), "on time"),
        (Lateness(True, None), "late (the LMS marked it late; its time is unknown)"),
        (Lateness(True, dt.timedelta(seconds=59)), "late by under a minute"),
        (Lateness(True, dt.timedelta(minutes=1)), "late by 1 minute"),
        (Lateness(True, dt.timedelta(minutes=2, seconds=59)), "late by 2 minutes"),
        (Lateness(True, dt.timedelta(hours=1)), "late by 1 hour"),
        (Lateness(True, dt.timedelta(days=1)), "late by 1 day"),
        (Lateness(True, dt.timedelta(days=1, hours=2)), "late by 1 day 2 hours"),
        (
            Lateness(True, dt.timedelta(days=3, hours=1, minutes=1)),
            "late by 3 days 1 hour 1 minute",
        ),
        (Lateness(True, dt.timedelta(days=2, minutes=5)), "late by 2 days 5 minutes"),
    ],
)
def test_lateness_describe(lateness, words):
    assert lateness.describe() == words


# --------------------------------------------------------------------------
# parse_time and parse_due
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2027-01-25 23:59", "UTC", "2027-01-25T23:59:00+00:00"),
        ("2027-01-25T23:59", "UTC", "2027-01-25T23:59:00+00:00"),
        ("2027-01-25T23:59:00-05:00", "UTC", "2027-01-26T04:59:00+00:00"),
        ("2027-01-25 23:59+01:00", "UTC", "2027-01-25T22:59:00+00:00"),
        ("2027-01-25T23:59:00Z", "UTC", "2027-01-25T23:59:00+00:00"),
        # an explicit offset wins over the default zone
        ("2027-01-25T23:59:00-05:00", "Asia/Tokyo", "2027-01-26T04:59:00+00:00"),
        ("2027-01-25 23:59", "America/New_York", "2027-01-26T04:59:00+00:00"),
        ("2027-01-25 23:59 America/New_York", "UTC", "2027-01-26T04:59:00+00:00"),
        # the zone written in the text wins over the default zone
        (
            "2027-01-25 23:59 America/New_York",
            "Asia/Tokyo",
            "2027-01-26T04:59:00+00:00",
        ),
        ("2027-01-25 23:59 UTC", "America/New_York", "2027-01-25T23:59:00+00:00"),
        ("2027-01-25 23:59 GMT", "America/New_York", "2027-01-25T23:59:00+00:00"),
        ("2027-01-25 23:59 utc", "America/New_York", "2027-01-25T23:59:00+00:00"),
        # summer time in New York is UTC-4
        ("2027-07-01 12:00 America/New_York", "UTC", "2027-07-01T16:00:00+00:00"),
        ("2027-07-01 12:00", "America/New_York", "2027-07-01T16:00:00+00:00"),
        ("2027-07-01 12:00", "Europe/London", "2027-07-01T11:00:00+00:00"),
        ("2027-01-25 23:59 Asia/Kolkata", "UTC", "2027-01-25T18:29:00+00:00"),
        ("  2027-01-25 23:59  ", "UTC", "2027-01-25T23:59:00+00:00"),
        # a date alone is the end of that day
        ("2027-01-25", "UTC", "2027-01-25T23:59:59+00:00"),
        ("2027-01-25", "America/New_York", "2027-01-26T04:59:59+00:00"),
        ("2027-01-25 America/New_York", "UTC", "2027-01-26T04:59:59+00:00"),
        ("2027-07-01 America/New_York", "UTC", "2027-07-02T03:59:59+00:00"),
    ],
)
def test_parse_time(text, zone, expected):
    value = parse_time(text, zone)
    assert value.isoformat() == expected
    assert value.tzinfo is UTC


@pytest.mark.parametrize("seed", range(3))
def test_parse_time_agrees_with_zoneinfo_all_year(seed):
    """Every hour of a year in New York, across both DST changes, as zoneinfo
    reads it (fold=0 for the repeated and the skipped hour)."""
    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo("America/New_York")
    start = dt.datetime(2027, 1, 1)
    for _ in range(300):
        local = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        expected = local.replace(tzinfo=zone).astimezone(UTC)
        spelled = local.strftime("%Y-%m-%d %H:%M")
        assert parse_time(spelled, "America/New_York") == expected
        assert parse_time(f"{spelled} America/New_York") == expected


def test_parse_time_on_dst_change_days():
    # 14 March 2027: clocks go 02:00 EST -> 03:00 EDT; 7 November back.
    assert parse_time("2027-03-14 01:59 America/New_York").isoformat() == (
        "2027-03-14T06:59:00+00:00"
    )
    assert parse_time("2027-03-14 03:00 America/New_York").isoformat() == (
        "2027-03-14T07:00:00+00:00"
    )
    assert parse_time("2027-11-07 03:00 America/New_York").isoformat() == (
        "2027-11-07T08:00:00+00:00"
    )
    assert parse_time("2027-03-14", "America/New_York").isoformat() == (
        "2027-03-15T03:59:59+00:00"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "2027-13-01",
        "2027-02-30 12:00",
        "2027-01-25 25:00",
        "25/01/2027",
        "Jan 25 2027",
        "2027-01-25 23:59 EST",
        "2027-01-25 11:59 PM",
        "2027-1-25",
    ],
)
def test_parse_time_rejects_garbage(text):
    with pytest.raises(ValueError, match="a date must look like"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("2027-01-25 23:59 Mars/Olympus_Mons", "UTC"),
        ("2027-01-25 23:59 America/Nowhere", "UTC"),
        ("2027-01-25 23:59", "Nowhere/Zone"),
        ("2027-01-25 23:59", "Not a zone"),
        ("2027-01-25 23:59", ""),
        ("2027-01-25 23:59 ../../etc/passwd", "UTC"),
    ],
)
def test_parse_time_rejects_unknown_zones(text, zone):
    with pytest.raises(ValueError, match="a time zone must be an IANA name"):
        parse_time(text, zone)


@pytest.mark.parametrize("text", ["20270125", "2027-W04-1"])
def test_every_iso_date_alone_is_the_end_of_that_day(text):
    assert parse_time(text).isoformat() == "2027-01-25T23:59:59+00:00"


def test_parse_due_reads_every_date_in_utc():
    due = parse_due(
        {
            "hw01": "2027-01-25 23:59",
            "hw02": "2027-02-01",
            "hw03": "2027-07-01 12:00 Europe/Paris",
            "hw04": "2027-02-08T12:00:00+09:00",
        },
        "America/New_York",
    )
    assert {k: v.isoformat() for k, v in due.items()} == {
        "hw01": "2027-01-26T04:59:00+00:00",
        "hw02": "2027-02-02T04:59:59+00:00",
        "hw03": "2027-07-01T10:00:00+00:00",
        "hw04": "2027-02-08T03:00:00+00:00",
    }
    assert all(v.tzinfo is UTC for v in due.values())


def test_parse_due_takes_keys_and_values_as_text():
    due = parse_due({1: dt.date(2027, 1, 25), "hw02": dt.datetime(2027, 2, 1, 12)})
    assert due == {
        "1": dt.datetime(2027, 1, 25, 23, 59, 59, tzinfo=UTC),
        "hw02": dt.datetime(2027, 2, 1, 12, tzinfo=UTC),
    }
    assert parse_due({}) == {}


@pytest.mark.parametrize("value", [None, [], ["hw01", "2027-01-25"], "hw01", 3])
def test_parse_due_refuses_anything_but_a_dict(value):
    with pytest.raises(ValueError, match=r"c\.Term\.due_dates must be a dict"):
        parse_due(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [("next week", "a date must look like"), ("2027-01-25 Foo/Bar", "IANA")],
)
def test_parse_due_names_the_bad_entry(value, message):
    with pytest.raises(ValueError, match=r"c\.Term\.due_dates\['hw02'\]") as caught:
        parse_due({"hw01": "2027-01-25", "hw02": value})
    assert message in str(caught.value)


def test_parse_due_refuses_an_unknown_default_zone():
    with pytest.raises(ValueError, match="IANA"):
        parse_due({"hw01": "2027-01-25 23:59"}, "Mars/Base")
