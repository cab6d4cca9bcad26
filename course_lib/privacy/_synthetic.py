"""Synthetic data the course generates for its privacy attacks.

Nothing here is real personal data. Each generator draws from a stated
distribution with a caller-supplied :class:`numpy.random.Generator`, so the
same seed always gives the same data.

- :func:`adult_with_identifiers` adds a synthetic ZIP code, birth date and
  name to the Adult census extract, so that the chapter can show how unique
  people are on (ZIP, sex, birth date), as Sweeney found for the US.
- :func:`location_traces` draws visits of people to places, for the mobility
  statistics example.
- :func:`census_block` returns the fictional block of seven people of
  Garfinkel, Abowd and Martindale (2019), or a random block like it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib._checks import check_int, check_probability, check_real
from course_lib._checks import check_rng as _check_rng

__all__ = [
    "BLOCK_RACES",
    "BLOCK_SEXES",
    "CENSUS_YEAR",
    "MIN_MARRIED_AGE",
    "adult_with_identifiers",
    "census_block",
    "location_traces",
]

#: The year the Adult extract describes (the 1994 Current Population Survey).
CENSUS_YEAR = 1994

_FIRST_FEMALE = (
    "Alice Beatriz Chloe Dana Elena Fatima Grace Hana Ines Julia Keiko Lena "
    "Maya Nadia Olga Priya Rosa Sara Tamar Uma Vera Wanda Yara Zoe"
).split()
_FIRST_MALE = (
    "Adam Bruno Carlos Dmitri Emil Farid Gabriel Hugo Ivan Jonas Kofi Liam "
    "Marco Nikhil Omar Pavel Quentin Rafael Samuel Tomas Umar Viktor Wei Yusuf"
).split()
_SYLLABLES = (
    "ba ke lo mi nu ra se ti vo da ge hi jo ka lu ma ne po ri su ta ve wi zo"
).split()


def adult_with_identifiers(
    df: pd.DataFrame,
    *,
    rng: np.random.Generator,
    n_zips: int = 300,
    zipf_exponent: float = 1.0,
) -> pd.DataFrame:
    """Add synthetic direct and quasi-identifiers to the Adult data.

    Three columns are added to a copy of ``df``:

    - ``zip``: a five-digit ZIP code (string). ``n_zips`` distinct codes are
      drawn uniformly from 10000-99999; person ``i`` lives in the ZIP of rank
      ``k`` with probability proportional to ``1 / k**zipf_exponent``
      (Zipf-like sizes: a few large ZIPs, many small ones).
    - ``birth_date``: a date (``datetime64[s]``) uniform over the days of
      the year ``1994 - age``, the birth year implied by ``age`` in
      :data:`CENSUS_YEAR` (the survey year of Adult).
    - ``name``: a unique name-like identifier, a first name matching
      ``sex`` followed by a three-syllable surname ("Maya Kelomi"), drawn
      without replacement so that no two people share it.

    Everything is drawn independently of the other columns except the
    birth year (from ``age``) and the first name (from ``sex``). With the
    defaults, about 94% of Adult's 48,842 people are unique on
    (ZIP, sex, birth date) but only about 16% on (ZIP, sex, birth year)
    (seed 0), in line with Sweeney's 87% for the US population on
    (ZIP, sex, birth date).

    Parameters
    ----------
    df : pandas.DataFrame
        Adult-like data with an integer ``age`` column and a ``sex`` column
        with values "Female" and "Male" (as from
        ``course_lib.datasets.load_adult``).
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    n_zips : int, default 300
        Number of distinct ZIP codes.
    zipf_exponent : float, default 1.0
        Exponent ``s`` of the ZIP size distribution ``p_k ∝ k**-s``;
        0 gives equal sizes.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the columns ``zip``, ``birth_date`` and
        ``name`` added (same index and row order).

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame, ``rng`` not a Generator, ``n_zips`` not
        an integer or ``zipf_exponent`` not a real number.
    ValueError
        If ``age`` or ``sex`` is missing or invalid, if ``n_zips`` is not in
        [1, 90000], or ``zipf_exponent`` is negative or not finite.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> people = pd.DataFrame({"age": [30, 45], "sex": ["Female", "Male"]})
    >>> out = adult_with_identifiers(people, rng=np.random.default_rng(0))
    >>> list(out.columns)
    ['age', 'sex', 'zip', 'birth_date', 'name']
    >>> (out["birth_date"].dt.year == 1994 - out["age"]).all()
    np.True_
    >>> out["zip"].str.len().tolist()
    [5, 5]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    rng = _check_rng(rng)
    n_zips = check_int(n_zips, "n_zips", low=1)
    if n_zips > 90_000:
        raise ValueError(f"n_zips must be at most 90000; got {n_zips}")
    check_real(zipf_exponent, "zipf_exponent", low=0.0)
    for column in ("age", "sex"):
        if column not in df.columns:
            raise ValueError(
                f"df must have a {column!r} column; got columns {list(df.columns)}"
            )
    age = pd.to_numeric(df["age"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(age).any() or (age < 0).any() or (age != np.round(age)).any():
        raise ValueError("df['age'] must hold non-negative whole numbers; got others")
    sex = df["sex"].astype("str").to_numpy()
    male = sex == "Male"
    if not (male | (sex == "Female")).all():
        bad = sorted(set(sex[~(male | (sex == "Female"))]))
        raise ValueError(f"df['sex'] must be 'Female' or 'Male'; got {bad}")
    n = len(df)
    out = df.copy()

    # ZIP codes: distinct 5-digit codes with Zipf-like populations.
    codes = rng.choice(np.arange(10_000, 100_000), size=n_zips, replace=False)
    weights = 1.0 / np.arange(1, n_zips + 1) ** zipf_exponent
    zip_index = rng.choice(n_zips, size=n, p=weights / weights.sum())
    out["zip"] = pd.array(codes[zip_index].astype(str), dtype="str")

    # Birth dates: uniform over the days of the birth year 1994 - age.
    year = (CENSUS_YEAR - age).astype(np.int64)
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    end = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    days_in_year = (end - start).astype(np.int64)
    offset = np.floor(rng.random(n) * days_in_year).astype(np.int64)
    out["birth_date"] = (start + offset.astype("timedelta64[D]")).astype(
        "datetime64[s]"
    )

    # Names: unique (first name index, surname) codes drawn without replacement.
    n_first = len(_FIRST_FEMALE)
    n_syl = len(_SYLLABLES)
    space = n_first * n_syl**3
    if n > space:
        raise ValueError(f"df must have at most {space} rows; got {n}")
    code = rng.choice(space, size=n, replace=False)
    first_idx, rest = code % n_first, code // n_first
    syl = np.stack([rest % n_syl, (rest // n_syl) % n_syl, rest // n_syl**2])
    first = np.where(
        male, np.asarray(_FIRST_MALE)[first_idx], np.asarray(_FIRST_FEMALE)[first_idx]
    )
    s = np.asarray(_SYLLABLES)
    surname = np.char.capitalize(
        np.char.add(np.char.add(s[syl[0]], s[syl[1]]), s[syl[2]])
    )
    out["name"] = pd.array(
        np.char.add(np.char.add(first.astype(str), " "), surname), dtype="str"
    )
    return out


def location_traces(
    n_people: int,
    n_places: int,
    n_hours: int,
    *,
    rng: np.random.Generator,
    visits_per_person: float = 10.0,
    favourite_places: int = 3,
    p_favourite: float = 0.8,
) -> pd.DataFrame:
    """Draw synthetic location traces: who visited which place at which hour.

    The generative model, all from ``rng``:

    - Place popularity is Zipf-like: place ``j`` has weight ``1 / (j + 1)``
      (place 0 is the busiest).
    - Each person makes ``1 + Poisson(visits_per_person - 1)`` visits, so
      contributions vary: a few people make many more visits than average
      (the reason contribution bounding matters for private counts).
    - Each person has ``favourite_places`` favourite places drawn by
      popularity (with replacement); each visit goes to a favourite with
      probability ``p_favourite`` (uniformly among the favourites), else to a
      place drawn by popularity.
    - The hour of a visit is drawn from ``range(n_hours)`` with a daily cycle:
      weight ``1 + sin(pi * (h mod 24 - 6) / 12)`` for hours 6-18 of each
      day and 0.1 at night.

    Parameters
    ----------
    n_people, n_places, n_hours : int
        Numbers of people, places and hours (all positive).
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    visits_per_person : float, default 10.0
        Mean number of visits per person (at least 1).
    favourite_places : int, default 3
        Number of favourite places per person.
    p_favourite : float, default 0.8
        Probability that a visit goes to one of the person's favourites.

    Returns
    -------
    pandas.DataFrame
        One row per visit, columns ``person``, ``place``, ``hour`` (int64),
        sorted by person then hour. The same person may visit the same place
        at the same hour more than once (two rows).

    Raises
    ------
    TypeError
        If a count is not an integer or ``rng`` not a Generator.
    ValueError
        If a count is not positive, ``visits_per_person < 1`` or
        ``p_favourite`` is outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> traces = location_traces(100, 20, 24, rng=np.random.default_rng(1))
    >>> list(traces.columns)
    ['person', 'place', 'hour']
    >>> bool(traces["person"].nunique() == 100 and traces["hour"].max() < 24)
    True
    """
    n_people = check_int(n_people, "n_people", low=1)
    n_places = check_int(n_places, "n_places", low=1)
    n_hours = check_int(n_hours, "n_hours", low=1)
    favourite_places = check_int(favourite_places, "favourite_places", low=1)
    rng = _check_rng(rng)
    check_real(visits_per_person, "visits_per_person", low=1.0)
    check_probability(p_favourite, "p_favourite")

    popularity = 1.0 / np.arange(1, n_places + 1)
    popularity /= popularity.sum()
    favourites = rng.choice(n_places, size=(n_people, favourite_places), p=popularity)
    n_visits = 1 + rng.poisson(visits_per_person - 1, size=n_people)
    person = np.repeat(np.arange(n_people), n_visits)
    total = person.size
    fav_pick = favourites[person, rng.integers(favourite_places, size=total)]
    other = rng.choice(n_places, size=total, p=popularity)
    place = np.where(rng.random(total) < p_favourite, fav_pick, other)
    hour_of_day = np.arange(n_hours) % 24
    day = (hour_of_day >= 6) & (hour_of_day <= 18)
    hour_weight = np.where(day, 1 + np.sin(np.pi * (hour_of_day - 6) / 12), 0.1)
    hour = rng.choice(n_hours, size=total, p=hour_weight / hour_weight.sum())
    traces = pd.DataFrame(
        {
            "person": person.astype(np.int64),
            "place": place.astype(np.int64),
            "hour": hour.astype(np.int64),
        }
    )
    return traces.sort_values(["person", "hour"], kind="stable").reset_index(drop=True)


# The fictional block of Garfinkel, Abowd and Martindale (CACM 62(3), 2019,
# "Understanding database reconstruction attacks on public data"): the
# solution of their Table 1, as published in the authors' repository
# github.com/simsong/cacm_understanding_database_reconstruction
# (id_table_solved.tex), checked here against every statistic of Table 1.
_GAM_BLOCK = {
    "age": [8, 18, 24, 30, 36, 66, 84],
    "sex": ["F", "M", "F", "M", "F", "F", "M"],
    "race": ["Black", "White", "White", "White", "Black", "Black", "Black"],
    "married": [False, False, False, True, True, True, True],
}

#: Attribute domains of a census block (as in Garfinkel et al.'s example).
BLOCK_SEXES = ("F", "M")
BLOCK_RACES = ("Black", "White")
#: Nobody younger than this is married (a "structural zero" of the tables).
MIN_MARRIED_AGE = 15


def census_block(
    *, rng: np.random.Generator | None = None, size: int = 7
) -> pd.DataFrame:
    """Return a toy census block: one row per person.

    With ``rng=None`` (the default) this is the fictional block of seven
    people of Garfinkel, Abowd and Martindale (2019), whose published
    statistics (their Table 1, reproduced by
    :func:`~course_lib.privacy.block_tables`) have exactly one
    consistent reconstruction. With a generator, a random block of ``size``
    people is drawn instead: age uniform on 0-89, sex and race
    ("Black"/"White") each uniform, and married with probability 1/2 for
    people aged :data:`MIN_MARRIED_AGE` or more (never below).

    Parameters
    ----------
    rng : numpy.random.Generator or None, default None
        None for the published block; a generator for a random one
        (keyword-only).
    size : int, default 7
        Number of people; must be 7 for the published block.

    Returns
    -------
    pandas.DataFrame
        Columns ``age`` (int64), ``sex`` ("F"/"M"), ``race``
        ("Black"/"White"), ``married`` (bool), sorted by age, sex, race and
        married status, with a fresh 0..size-1 index.

    Raises
    ------
    TypeError
        If ``rng`` is neither None nor a Generator, or ``size`` not an int.
    ValueError
        If ``size`` is not positive, or not 7 when ``rng`` is None.

    Examples
    --------
    >>> census_block()
       age sex   race  married
    0    8   F  Black    False
    1   18   M  White    False
    2   24   F  White    False
    3   30   M  White     True
    4   36   F  Black     True
    5   66   F  Black     True
    6   84   M  Black     True
    >>> import numpy as np
    >>> census_block(rng=np.random.default_rng(0), size=4).shape
    (4, 4)
    """
    size = check_int(size, "size", low=1)
    if rng is None:
        if size != 7:
            raise ValueError(
                "size must be 7 for the published block (rng=None); got "
                f"{size}. Pass rng=numpy.random.default_rng(seed) for a random block."
            )
        block = pd.DataFrame(_GAM_BLOCK)
    else:
        rng = _check_rng(rng)
        age = rng.integers(0, 90, size=size)
        block = pd.DataFrame(
            {
                "age": age,
                "sex": np.asarray(BLOCK_SEXES)[rng.integers(2, size=size)],
                "race": np.asarray(BLOCK_RACES)[rng.integers(2, size=size)],
                "married": (age >= MIN_MARRIED_AGE) & (rng.random(size) < 0.5),
            }
        )
    return tidy_block(block)


def tidy_block(block: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes and row order of a block (used to compare blocks)."""
    out = pd.DataFrame(
        {
            "age": block["age"].to_numpy().astype(np.int64),
            "sex": pd.array(block["sex"].astype("str").to_numpy(), dtype="str"),
            "race": pd.array(block["race"].astype("str").to_numpy(), dtype="str"),
            "married": block["married"].to_numpy().astype(bool),
        }
    )
    return out.sort_values(
        ["age", "sex", "race", "married"], kind="stable"
    ).reset_index(drop=True)
