"""Due dates and the late policy: when a submission is late, and what it costs.

A course sets, in ``nbgrader_config.py``::

    c.Term.due_dates = {"hw01": "2027-01-25 23:59", "hw02": "2027-02-01 23:59"}
    c.Term.timezone = "America/New_York"   # for due dates written without one
    c.Term.late_policy = "10% per day, at most 50%"
    c.Term.grace_minutes = 15

A submission is late when its time (``timestamp.txt`` beside it, written by
``course collect`` from the LMS's own submission time, as nbgrader reads it)
is more than the grace period after its homework's due date, or when the LMS
marked it late and gave no time (Canvas's ``LATE`` flag): it is then taken as
late by one period of the policy, the least a late submission costs, and the
report says the time is unknown.

The policy is ``"none"`` (late work is flagged, never penalised, as with
nbgrader's default), ``"zero"`` (a late submission scores 0, nbgrader's
``penalty_method = "zero"``), or ``"P% per hour|day|week[, at most Q%]"``:
P percent of the submission's score for every period or part of one after
the due date, as Canvas's late policy counts, never more than Q percent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from dataclasses import dataclass

__all__ = ["LatePolicy", "Lateness", "parse_due", "parse_time"]

_PERIODS = {
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(weeks=1),
}
_RATE = re.compile(
    r"(?P<rate>\d+(?:\.\d+)?)\s*%\s*(?:per|a|each)\s+(?P<period>hour|day|week)"
    r"(?:\s*,\s*(?:at\s+most|up\s+to|max(?:imum)?)\s+(?P<cap>\d+(?:\.\d+)?)\s*%)?",
    re.I,
)


@dataclass(frozen=True)
class LatePolicy:
    """What a late submission costs, as a fraction of its score.

    Parameters
    ----------
    kind : {"none", "zero", "rate"}
        No penalty, everything, or ``rate`` per started ``period``.
    rate : float, default 0.0
        Fraction of the score lost per started period (``kind="rate"``).
    period : datetime.timedelta, default one day
        The period ``rate`` is charged for.
    cap : float, default 1.0
        The largest fraction lost.
    grace : datetime.timedelta, default zero
        Time after the due date that is not late.

    Examples
    --------
    >>> import datetime as dt
    >>> policy = LatePolicy.parse("10% per day, at most 25%")
    >>> policy.fraction(Lateness.of(dt.timedelta(hours=30), policy))
    0.2
    >>> policy.fraction(Lateness.of(dt.timedelta(days=9), policy))
    0.25
    >>> policy.describe()
    '10% per day or part of one, at most 25%'
    """

    kind: str = "none"
    rate: float = 0.0
    period: dt.timedelta = _PERIODS["day"]
    cap: float = 1.0
    grace: dt.timedelta = dt.timedelta(0)

    @classmethod
    def parse(cls, text: str, grace_minutes: float = 0) -> LatePolicy:
        """Read a policy written as in the course configuration.

        Parameters
        ----------
        text : str
            ``"none"``, ``"zero"`` or ``"P% per hour|day|week[, at most Q%]"``.
        grace_minutes : float, default 0
            Minutes after the due date that do not count as late.

        Returns
        -------
        LatePolicy

        Raises
        ------
        ValueError
            If ``text`` is none of these forms or ``grace_minutes`` is negative.

        Examples
        --------
        >>> LatePolicy.parse("zero").kind
        'zero'
        >>> LatePolicy.parse("5 % per hour").rate
        0.05
        """
        if (
            not isinstance(grace_minutes, int | float)
            or isinstance(grace_minutes, bool)
            or not math.isfinite(grace_minutes)
            or grace_minutes < 0
        ):
            raise ValueError(
                "c.Term.grace_minutes must be a number of minutes >= 0; "
                f"got {grace_minutes!r}"
            )
        try:
            grace = dt.timedelta(minutes=grace_minutes)
        except OverflowError:
            raise ValueError(
                "c.Term.grace_minutes must be a number of minutes >= 0 that fits a "
                f"time span (under a million years); got {grace_minutes!r}"
            ) from None
        spelled = str(text).strip()
        if spelled.lower() in ("none", "zero"):
            return cls(kind=spelled.lower(), grace=grace)
        match = _RATE.fullmatch(spelled)
        rate = float(match["rate"]) / 100 if match else 0.0
        cap = float(match["cap"]) / 100 if match and match["cap"] else 1.0
        if match is None or not 0 < rate <= 1 or not 0 < cap <= 1:
            raise ValueError(
                "c.Term.late_policy must be 'none', 'zero' or like '10% per day, at "
                f"most 50%' (percentages above 0 and at most 100); got {text!r}"
            )
        return cls(
            kind="rate",
            rate=rate,
            period=_PERIODS[match["period"].lower()],
            cap=cap,
            grace=grace,
        )

    def periods(self, late_by: dt.timedelta) -> int:
        """Started periods in ``late_by`` (at least 1 for any late submission)."""
        return max(1, math.ceil(late_by / self.period))

    def fraction(self, lateness: Lateness) -> float:
        """The fraction of the score a submission this late loses.

        Parameters
        ----------
        lateness : Lateness
            How late the submission is.

        Returns
        -------
        float
            In [0, 1]: 0 for work on time or under the ``"none"`` policy.
        """
        if not lateness.late or self.kind == "none":
            return 0.0
        if self.kind == "zero":
            return 1.0
        late_by = lateness.late_by if lateness.late_by is not None else self.period
        return round(min(self.cap, self.rate * self.periods(late_by)), 10)

    def assess(
        self,
        due: dt.datetime | None,
        submitted: dt.datetime | None,
        flagged: bool,
        extension: dt.timedelta | None = None,
    ) -> tuple[Lateness, float]:
        """How late a submission is, and the fraction of its score it loses.

        The course's one rule, which the grades, the report and the feedback
        all apply: the due date moved by any extension the gradebook holds,
        then :meth:`Lateness.find` and :meth:`fraction`.

        Parameters
        ----------
        due, submitted : datetime or None
            The homework's due date and the submission's time.
        flagged : bool
            The LMS marked the submission late.
        extension : datetime.timedelta, optional
            The student's extension.

        Returns
        -------
        tuple of (Lateness, float)

        Examples
        --------
        >>> import datetime as dt
        >>> due = dt.datetime(2027, 1, 25, 23, 59, tzinfo=dt.UTC)
        >>> late = due + dt.timedelta(hours=30)
        >>> LatePolicy.parse("10% per day").assess(due, late, False)[1]
        0.2
        >>> LatePolicy.parse("10% per day").assess(
        ...     due, late, False, extension=dt.timedelta(days=2))[1]
        0.0
        """
        if due is not None and extension is not None:
            due = due + extension
        lateness = Lateness.find(due, submitted, flagged, self)
        return lateness, self.fraction(lateness)

    def describe(self) -> str:
        """The policy in words, for reports and feedback."""
        if self.kind == "none":
            text = "late work is flagged but not penalised"
        elif self.kind == "zero":
            text = "late work scores 0"
        else:
            unit = next(k for k, v in _PERIODS.items() if v == self.period)
            text = f"{self.rate * 100:g}% per {unit} or part of one"
            if self.cap < 1:
                text += f", at most {self.cap * 100:g}%"
        if self.grace:
            text += f" (after {self.grace.total_seconds() / 60:g} minutes' grace)"
        return text


@dataclass(frozen=True)
class Lateness:
    """Whether a submission is late, and by how much when that is known.

    Parameters
    ----------
    late : bool
        Past the due date and its grace, or marked late by the LMS.
    late_by : datetime.timedelta or None
        Time after the due date; None when the LMS flagged it without a time.
    """

    late: bool = False
    late_by: dt.timedelta | None = None

    @classmethod
    def of(cls, late_by: dt.timedelta, policy: LatePolicy | None = None) -> Lateness:
        """A submission ``late_by`` after its due date (late beyond the grace)."""
        grace = policy.grace if policy is not None else dt.timedelta(0)
        return cls(late=late_by > grace, late_by=late_by if late_by > grace else None)

    @classmethod
    def find(
        cls,
        due: dt.datetime | None,
        submitted: dt.datetime | None,
        flagged: bool,
        policy: LatePolicy,
    ) -> Lateness:
        """How late a submission is, from its due date, its time and the LMS's flag.

        Parameters
        ----------
        due, submitted : datetime or None
            Aware datetimes (naive ones are taken as UTC).
        flagged : bool
            The LMS marked the submission late.
        policy : LatePolicy
            For its grace period.

        Returns
        -------
        Lateness
            Late by the time after the due date if both times are known (the
            LMS's flag is then only a hint); else late, of unknown time, if
            the LMS flagged it.

        Examples
        --------
        >>> import datetime as dt
        >>> due = dt.datetime(2027, 1, 25, 23, 59, tzinfo=dt.UTC)
        >>> Lateness.find(due, due + dt.timedelta(hours=2), False, LatePolicy())
        Lateness(late=True, late_by=datetime.timedelta(seconds=7200))
        >>> Lateness.find(due, None, True, LatePolicy())
        Lateness(late=True, late_by=None)
        """
        if due is not None and submitted is not None:
            return cls.of(_utc(submitted) - _utc(due), policy)
        return cls(late=bool(flagged), late_by=None)

    def describe(self) -> str:
        """``"on time"``, ``"late by 1 day 2 h"`` or ``"late (time unknown)"``."""
        if not self.late:
            return "on time"
        if self.late_by is None:
            return "late (the LMS marked it late; its time is unknown)"
        days, rest = divmod(int(self.late_by.total_seconds()), 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        words = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
            if n
        ]
        return "late by " + (" ".join(words) or "under a minute")


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _zone(name: str) -> dt.tzinfo:
    """The time zone called ``name``, or a ValueError saying what one looks like."""
    if str(name).upper() in ("UTC", "GMT"):
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"a time zone must be an IANA name such as 'America/New_York' or 'UTC'; "
            f"got {name!r}"
        ) from None


def parse_time(text: str, timezone: str = "UTC") -> dt.datetime:
    """A date and time as written in a configuration or an LMS export, in UTC.

    Parameters
    ----------
    text : str
        ISO 8601 (``2027-01-25T23:59:00-05:00``, ``2027-01-25 23:59``), a date
        alone (the end of that day), or either followed by an IANA zone name
        (``2027-01-25 23:59 America/New_York``).
    timezone : str, default "UTC"
        The zone of a time written without one.

    Returns
    -------
    datetime.datetime
        Aware, in UTC.

    Raises
    ------
    ValueError
        If ``text`` is not such a time or the zone is unknown.

    Examples
    --------
    >>> parse_time("2027-01-25 23:59 America/New_York").isoformat()
    '2027-01-26T04:59:00+00:00'
    >>> parse_time("2027-01-25").isoformat()
    '2027-01-25T23:59:59+00:00'
    """
    spelled = str(text).strip()
    zone_name = timezone
    head, _, tail = spelled.rpartition(" ")
    if head and ("/" in tail or tail.upper() in ("UTC", "GMT")):
        spelled, zone_name = head, tail
    zone = _zone(zone_name)
    try:
        if re.fullmatch(r"[0-9W-]+", spelled):
            # A date alone, in any ISO 8601 form: the end of that day.
            value = dt.datetime.combine(
                dt.date.fromisoformat(spelled), dt.time(23, 59, 59)
            )
        else:
            value = dt.datetime.fromisoformat(spelled)
    except ValueError:
        raise ValueError(
            "a date must look like '2027-01-25 23:59' (optionally with a zone such "
            f"as 'America/New_York' or an offset like '-05:00'); got {text!r}"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC)


def parse_due(due_dates: object, timezone: str = "UTC") -> dict[str, dt.datetime]:
    """The configuration's due dates, checked, in UTC.

    Parameters
    ----------
    due_dates : dict
        ``{assignment id: time}`` as in ``c.Term.due_dates``.
    timezone : str, default "UTC"
        The zone of times written without one.

    Returns
    -------
    dict of str to datetime

    Raises
    ------
    ValueError
        If ``due_dates`` is not such a mapping or a time cannot be read.

    Examples
    --------
    >>> parse_due({"hw01": "2027-01-25 23:59"})["hw01"].isoformat()
    '2027-01-25T23:59:00+00:00'
    """
    try:
        _zone(timezone)
    except ValueError as error:
        raise ValueError(f"c.Term.timezone: {error}") from None
    if not isinstance(due_dates, dict):
        raise ValueError(
            "c.Term.due_dates must be a dict like {'hw01': '2027-01-25 23:59'}; "
            f"got {type(due_dates).__name__}"
        )
    out = {}
    for assignment, text in due_dates.items():
        try:
            out[str(assignment)] = parse_time(str(text), timezone)
        except ValueError as error:
            raise ValueError(f"c.Term.due_dates[{assignment!r}]: {error}") from None
    return out
