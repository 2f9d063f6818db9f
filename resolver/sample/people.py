"""The simulated population: households at addresses, the people in them, and their
histories (moves, marriages, changed emails). Sources are drawn from this in sources.py."""

import datetime as dt
import random
from collections import Counter
from itertools import accumulate
from dataclasses import dataclass, field, replace

from resolver.sample import reference as R

START, END = dt.date(2018, 1, 1), dt.date(2026, 6, 30)
LAST_WEIGHTS = list(accumulate(1 / (i + 1) ** 0.9 for i in range(len(R.LAST))))  # Zipf-like
GIVEN_WEIGHTS = {sex: list(accumulate(1 / (i + 1) ** 0.6 for i in range(len(names))))
                 for sex, names in (("M", R.MALE), ("F", R.FEMALE))}
AREA_CODES: dict[str, list[str]] = {}  # state -> area codes of its first listed place
for _place in R.PLACES:
    AREA_CODES.setdefault(_place[1], _place[4])


@dataclass(frozen=True)
class Address:
    house: str
    pre: tuple[str, str] | None  # (full, abbreviation)
    street: str
    street_type: tuple[str, str]
    unit: str | None
    city: str
    state: str
    state_name: str
    zip5: str
    zip4: str


@dataclass
class Person:
    person_id: str
    household_id: str
    sex: str
    first: str
    middle: str | None
    last: str
    suffix: str | None
    dob: dt.date
    email: str | None
    phone: str
    address: Address  # current
    old_address: Address | None = None
    moved_on: dt.date | None = None
    maiden: str | None = None  # surname before marriage
    married_on: dt.date | None = None
    old_email: str | None = None
    landline: str | None = None
    prefix: str | None = None
    tags: set[str] = field(default_factory=set)  # twin, jr_sr, common_name, ...


class Population:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.open_buildings: list[Address] = []  # apartment buildings with units left
        self.open_count: Counter[Address] = Counter()  # how often each is in that list
        self.units_left: dict[Address, int] = {}
        self.used_units: set[tuple] = set()
        self.used_phones: set[str] = set()
        self.people: list[Person] = []

    # --- places -----------------------------------------------------------------------
    def place(self):
        return self.rng.choice(R.PLACES)

    def _close(self, base: Address) -> None:
        """open_buildings.remove(base): the first equal entry. Buildings that never fill
        stay in the list, so it grows with the population and a scan from its start makes
        generating millions of people quadratic; base was drawn from the last 50 entries,
        so when it is in the list once, that is where it is."""
        if self.open_count[base] == 1:
            start = max(len(self.open_buildings) - 50, 0)
            del self.open_buildings[self.open_buildings.index(base, start)]
        else:
            self.open_buildings.remove(base)
        self.open_count[base] -= 1

    def new_address(self, apartment: bool) -> Address:
        rng = self.rng
        if apartment and self.open_buildings and rng.random() < 0.7:
            base = rng.choice(self.open_buildings[-50:])
            self.units_left[base] -= 1
            if self.units_left[base] == 0:
                self._close(base)
        else:
            city, state, state_name, zip3, _ = self.place()
            base = Address(
                house=str(rng.randint(1, 9899)),
                pre=rng.choice(R.DIRECTIONS) if rng.random() < 0.15 else None,
                street=rng.choice(R.STREETS), street_type=rng.choice(R.STREET_TYPES),
                unit=None, city=city, state=state, state_name=state_name,
                zip5=zip3 + f"{rng.randint(1, 99):02d}", zip4=f"{rng.randint(1, 9999):04d}")
            if apartment:
                self.open_buildings.append(base)
                self.open_count[base] += 1
                self.units_left[base] = rng.randint(2, 16)
        if not apartment:
            return base
        for _ in range(50):
            unit = f"{rng.randint(1, 12)}{rng.choice('ABCD')}" if rng.random() < 0.5 else str(
                rng.randint(1, 40) * (1 if rng.random() < 0.5 else 100) // 1)
            key = (base.house, base.street, base.zip5, unit)
            if key not in self.used_units:
                self.used_units.add(key)
                return replace(base, unit=unit)
        return replace(base, unit=str(rng.randint(1000, 9999)))

    def phone_for(self, state: str) -> str:
        rng = self.rng
        areas = AREA_CODES[state]
        while True:
            exchange = rng.randint(201, 989)
            if exchange % 100 == 11 or exchange == 555:
                continue
            number = f"{rng.choice(areas)}{exchange}{rng.randint(0, 9999):04d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    # --- people -----------------------------------------------------------------------
    def surname(self) -> str:
        if self.rng.random() < 0.02:
            return self.rng.choice(R.MULTIPART_LAST)
        return self.rng.choices(R.LAST, cum_weights=LAST_WEIGHTS)[0]

    def given(self, sex: str, avoid: set[str] = frozenset()) -> str:
        names = R.MALE if sex == "M" else R.FEMALE
        while True:
            name = self.rng.choices(names, cum_weights=GIVEN_WEIGHTS[sex])[0]
            if name not in avoid:
                return name

    def birth(self, low: int, high: int) -> dt.date:
        age_days = self.rng.randint(low * 365, high * 365)
        return dt.date(2026, 1, 1) - dt.timedelta(days=age_days)

    def email_for(self, first: str, last: str, year: int) -> str:
        rng = self.rng
        first_l, last_l = first.lower(), last.lower().replace(" ", "").replace("'", "")
        last_l = last_l.replace(".", "").replace("-", "")
        local = rng.choice([f"{first_l}.{last_l}", f"{first_l[0]}{last_l}",
                            f"{first_l}{last_l}{year % 100:02d}", f"{first_l}_{last_l}",
                            f"{last_l}.{first_l}{rng.randint(1, 99)}"])
        return f"{local}@{rng.choice(R.EMAIL_PROVIDERS)}"

    def person(self, hh: str, sex: str, last: str, dob: dt.date, address: Address,
               first: str | None = None, avoid: set[str] = frozenset()) -> Person:
        rng = self.rng
        first = first or self.given(sex, avoid)
        middle = self.given(sex) if rng.random() < 0.5 else None
        person = Person(
            person_id=f"P{len(self.people) + 1:07d}", household_id=hh, sex=sex, first=first,
            middle=middle, last=last, suffix=None, dob=dob,
            email=self.email_for(first, last, dob.year) if rng.random() < 0.85 else None,
            phone=self.phone_for(address.state), address=address)
        if rng.random() < 0.12:
            person.old_email = self.email_for(first, last, dob.year + 1)
        if rng.random() < 0.05:
            person.prefix = rng.choice(["Dr.", "Dr", "Rev."])
        self.people.append(person)
        return person


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def build_household(pop: Population, number: int) -> list[Person]:
    """One household of a random kind; every member shares the current address."""
    rng = pop.rng
    hh = f"H{number:07d}"
    kind = rng.choices(["single", "couple", "family", "generations", "roommates"],
                       weights=[30, 25, 30, 7, 8])[0]
    address = pop.new_address(apartment=rng.random() < 0.4)
    last = pop.surname()
    members: list[Person] = []
    if kind == "single":
        members.append(pop.person(hh, rng.choice("MF"), last, pop.birth(20, 85), address))
    elif kind in ("couple", "family"):
        a = pop.person(hh, "M", last, pop.birth(25, 80), address)
        spouse_last = last if rng.random() < 0.7 else pop.surname()
        b = pop.person(hh, "F", spouse_last, a.dob + dt.timedelta(days=rng.randint(-3000, 3000)),
                       address)
        if spouse_last == last and rng.random() < 0.35:  # married during the record years
            b.maiden, b.married_on = pop.surname(), _date_between(rng, START, END)
            b.tags.add("married")
        if rng.random() < 0.2:  # a family email on both
            shared = pop.email_for(last, "family", a.dob.year)
            a.email = b.email = shared
            a.tags.add("family_email")
            b.tags.add("family_email")
        members += [a, b]
        if kind == "family":
            kids_dob = max(a.dob, b.dob) + dt.timedelta(days=rng.randint(7000, 12000))
            if kids_dob > dt.date(2009, 12, 31):  # children in the data are 16 or older
                kids_dob = _date_between(rng, dt.date(1998, 1, 1), dt.date(2009, 12, 31))
            if rng.random() < 0.12:  # twins: same birthday, same surname, one address
                sex = rng.choice("MF")
                t1 = pop.person(hh, sex, last, kids_dob, address)
                t2 = pop.person(hh, rng.choice("MF"), last, kids_dob, address, avoid={t1.first})
                for twin in (t1, t2):
                    twin.tags.add("twin")
                    twin.email = pop.email_for(twin.first, last, kids_dob.year)
                members += [t1, t2]
            else:
                for i in range(rng.randint(1, 2)):
                    members.append(pop.person(hh, rng.choice("MF"), last,
                                              kids_dob + dt.timedelta(days=500 * i + 30),
                                              address, avoid={m.first for m in members}))
    elif kind == "generations":  # Robert Smith Sr and Robert Smith Jr at one address
        senior = pop.person(hh, "M", last, pop.birth(60, 88), address)
        junior = pop.person(hh, "M", last, senior.dob + dt.timedelta(days=rng.randint(
            8000, 12000)), address, first=senior.first)
        senior.suffix, junior.suffix = "Sr", "Jr"
        junior.middle = senior.middle
        senior.tags.add("jr_sr")
        junior.tags.add("jr_sr")
        members += [senior, junior]
    else:
        for _ in range(rng.randint(2, 3)):
            members.append(pop.person(hh, rng.choice("MF"), pop.surname(), pop.birth(21, 35),
                                      address))
    if kind != "roommates" and rng.random() < 0.3:
        landline = pop.phone_for(address.state)
        for m in members:
            m.landline = landline
    if rng.random() < 0.15:  # the household moved during the record years
        old = pop.new_address(apartment=rng.random() < 0.5)
        moved = _date_between(rng, dt.date(2019, 1, 1), dt.date(2025, 12, 31))
        for m in members:
            m.old_address, m.moved_on = old, moved
            m.tags.add("moved")
    return members


def build_population(people: int, rng: random.Random) -> list[Person]:
    pop = Population(rng)
    number = 0
    while len(pop.people) < people:
        number += 1
        build_household(pop, number)
    return pop.people[:people]  # the last household may lose a member; it stays valid
