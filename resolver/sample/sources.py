"""Four source systems, each with its own schema, formats and habits, drawn from one
population; plus the truth file (source, record_id, person_id, household_id)."""

import datetime as dt
import random
from pathlib import Path

import polars as pl

from resolver.errors import InputError
from resolver.sample import noise as N
from resolver.sample.people import END, START, Person, build_population

SOURCES = {  # name: (chance a person is in it, chance of a second record there)
    "crm": (0.6, 0.06), "web": (0.5, 0.08), "pos": (0.45, 0.05), "callcenter": (0.3, 0.1),
}


class View:
    """A person as a source saw them on one date: the address, surname and email then."""

    def __init__(self, person: Person, when: dt.date, rng: random.Random):
        moved = person.moved_on and when < person.moved_on
        self.address = person.old_address if moved else person.address
        married = person.married_on and when < person.married_on
        self.last = person.maiden if married else person.last
        self.email = person.email
        if person.old_email and rng.random() < 0.5:
            self.email = person.old_email
        self.phone = person.landline if person.landline and rng.random() < 0.35 else person.phone
        self.first = N.first_name_variant(rng, person.first)
        self.last = N.last_name_variant(rng, self.last)
        self.dob = N.dob_variant(rng, person.dob)
        self.when = when


def _dob_text(value, fmt: str) -> str | None:
    if value is None:
        return None
    if value == "placeholder":
        return dt.date(1900, 1, 1).strftime(fmt)
    return value.strftime(fmt)


def _maybe(rng: random.Random, value, missing: float):
    return None if rng.random() < missing else value


def crm_row(p: Person, v: View, rng: random.Random, rid: int) -> dict:
    a = v.address
    first, last = (v.last, v.first) if rng.random() < 0.02 else (v.first, v.last)
    return {
        "customer_id": f"C{rid:07d}", "FirstName": N.case(rng, first),
        "MiddleInitial": p.middle[0] if p.middle and rng.random() < 0.6 else None,
        "LastName": N.case(rng, last), "Suffix": p.suffix,
        "Street1": _maybe(rng, N.street_text(rng, a, rng.random() < 0.3), 0.04),
        "Street2": N.unit_text(rng, a.unit) if a.unit and rng.random() < 0.93 else None,
        "City": a.city, "State": a.state,
        "Zip": _maybe(rng, a.zip5 if rng.random() < 0.7 else f"{a.zip5}-{a.zip4}", 0.03),
        "BirthDate": _maybe(rng, _dob_text(v.dob, "%m/%d/%Y"), 0.08),
        "Phone": _maybe(rng, N.phone_text(rng, v.phone, "paren"), 0.15),
        "Email": _maybe(rng, v.email and N.email_variant(rng, v.email), 0.3),
        "LastModified": f"{v.when.isoformat()} "
                        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
    }


def web_row(p: Person, v: View, rng: random.Random, rid: int) -> dict:
    a = v.address
    middle = f" {p.middle[0]}." if p.middle and rng.random() < 0.2 else ""
    name = f"{v.first}{middle} {v.last}" if rng.random() > 0.02 else f"{v.last} {v.first}"
    if p.suffix and rng.random() < 0.7:
        name += f" {p.suffix}."
    unit = f" {N.unit_text(rng, a.unit)}" if a.unit and rng.random() < 0.9 else ""
    street = N.street_text(rng, a, rng.random() < 0.5)
    address = f"{street}{unit}, {a.city}, {a.state} {a.zip5}"
    return {
        "user_id": 100000 + rid, "name": N.case(rng, name),
        "email": v.email and N.email_variant(rng, v.email),
        "birthday": _maybe(rng, _dob_text(v.dob, "%Y-%m-%d"), 0.25),
        "address": _maybe(rng, address, 0.2),
        "mobile": _maybe(rng, N.phone_text(rng, p.phone, rng.choice(["intl", "plain", "dash"])),
                         0.2),
        "signup_ts": dt.datetime.combine(v.when, dt.time(rng.randint(0, 23))),
    }


def pos_row(p: Person, v: View, rng: random.Random, rid: int) -> dict:
    a = v.address
    given = v.first.upper() + (f" {p.middle[0].upper()}" if p.middle and rng.random() < 0.4
                               else "")
    holder = f"{v.last.upper()}, {given}" + (f" {p.suffix.upper()}" if p.suffix else "")
    unit = f" {N.unit_text(rng, a.unit).upper()}" if a.unit and rng.random() < 0.85 else ""
    return {
        "card_number": f"L{rid:08d}", "card_holder": holder,
        "phone": _maybe(rng, N.phone_text(rng, v.phone, rng.choice(["dot", "plain", "one"])),
                        0.1),
        "addr": _maybe(rng, N.street_text(rng, a, False).upper() + unit, 0.35),
        "zip": _maybe(rng, a.zip5, 0.05),
        "dob": _maybe(rng, _dob_text(v.dob, "%Y%m%d"), 0.55),
        "enrolled_on": v.when.strftime("%m/%d/%Y"),
    }


def callcenter_row(p: Person, v: View, rng: random.Random, rid: int) -> dict:
    a = v.address
    prefix = p.prefix or (rng.choice(["Mr.", "Mrs.", "Ms."]) if rng.random() < 0.25 else None)
    if prefix in ("Mrs.", "Ms.") and p.sex == "M" or prefix == "Mr." and p.sex == "F":
        prefix = None
    middle = f" {p.middle[0]}" if p.middle and rng.random() < 0.3 else ""
    parts = [prefix, f"{v.first}{middle} {v.last}", p.suffix and rng.choice(
        [p.suffix, p.suffix + ".", p.suffix.upper()])]
    phone = N.phone_text(rng, v.phone, "dash")
    if rng.random() < 0.05:
        phone += f" ext. {rng.randint(1, 99)}"
    unit = f" {N.unit_text(rng, a.unit)}" if a.unit and rng.random() < 0.9 else ""
    address = (f"{N.street_text(rng, a, True)}{unit} {a.city} "
               f"{a.state_name if rng.random() < 0.5 else a.state} {a.zip5}")
    return {
        "case_ref": f"CC-{rid:06d}", "caller": " ".join(x for x in parts if x),
        "callback": _maybe(rng, phone, 0.05),
        "email": _maybe(rng, v.email, 0.6),
        "date_of_birth": _maybe(rng, _dob_text(v.dob, "%d %b %Y"), 0.3),
        "address": _maybe(rng, address, 0.25),
        "call_time": f"{v.when.isoformat()}T{rng.randint(8, 19):02d}:00:00",
    }


ROWS = {"crm": crm_row, "web": web_row, "pos": pos_row, "callcenter": callcenter_row}
FILES = {"crm": "crm.csv", "web": "web_signups.parquet", "pos": "pos_loyalty.csv",
         "callcenter": "call_centre.csv"}


def generate(people: int, seed: int) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    rng = random.Random(seed)
    population = build_population(people, rng)
    rows = {name: [] for name in SOURCES}
    truth = []
    for person in population:
        chosen = [s for s, (p, _) in SOURCES.items() if rng.random() < p]
        for source in chosen or [rng.choice(list(SOURCES))]:
            copies = 2 if rng.random() < SOURCES[source][1] else 1
            for _ in range(copies):
                when = START + dt.timedelta(days=rng.randint(0, (END - START).days))
                rid = len(rows[source]) + 1
                row = ROWS[source](person, View(person, when, rng), rng, rid)
                rows[source].append(row)
                record_id = str(next(iter(row.values())))
                truth.append((source, record_id, person.person_id, person.household_id,
                              ",".join(sorted(person.tags))))
    for name in rows:  # source systems do not list a household's members together
        rng.shuffle(rows[name])
    frames = {name: pl.DataFrame(r, infer_schema_length=None) for name, r in rows.items()}
    # tags name the hard case a person is (twin, jr_sr, moved, married, family_email)
    truth_frame = pl.DataFrame(truth, schema=["source", "record_id", "person_id",
                                              "household_id", "tags"], orient="row")
    return frames, truth_frame


def write_sample(people: int, seed: int, out: Path, force: bool = False) -> dict[str, int]:
    """Write the four sources and truth.parquet into `out`; returns records per source.
    A folder that already holds files is only written into with `force`: sample data
    (the bundled sample_data/ too) is often something else's input or expected output."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file. Name a folder to write the sample into")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(f"--out {out} already holds files. Choose an empty or new folder, "
                         "or add --force to overwrite the sample files in it")
    frames, truth = generate(people, seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        path = out / FILES[name]
        if path.suffix == ".parquet":
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
    truth.write_parquet(out / "truth.parquet")
    return {name: frame.height for name, frame in frames.items()}
