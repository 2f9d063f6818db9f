"""The ways real source systems get a person wrong: typos, nicknames, initials, swapped
names, day/month swaps, formats, placeholders. Each function takes the generator's rng."""

import datetime as dt
import random

from resolver.sample import reference as R

KEYBOARD = {c: n for c, n in zip("qwertyuiopasdfghjklzxcvbnm", (
    "wa", "qes", "wrd", "etf", "ryg", "tuh", "yij", "uok", "ipl", "ol", "qsz", "awdx", "sefc",
    "drgv", "fthb", "gyjn", "hukm", "jil", "kop", "xa", "zcs", "xvd", "cbf", "vng", "bmh", "nj"))}


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randint(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.3:  # transpose
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind < 0.55:  # drop
        return text[:i] + text[i + 1:]
    if kind < 0.8:  # neighbouring key
        c = text[i].lower()
        sub = rng.choice(KEYBOARD.get(c, c))
        return text[:i] + (sub.upper() if text[i].isupper() else sub) + text[i + 1:]
    return text[:i] + text[i] + text[i:]  # double


def first_name_variant(rng: random.Random, first: str) -> str:
    roll = rng.random()
    if roll < 0.14 and first in R.NICKNAMES:
        return rng.choice(R.NICKNAMES[first])
    if roll < 0.18:
        return typo(rng, first)
    if roll < 0.20:
        return first[0]
    if roll < 0.24 and first in R.ACCENTED:
        return R.ACCENTED[first]
    return first


def last_name_variant(rng: random.Random, last: str) -> str:
    roll = rng.random()
    if roll < 0.04:
        return typo(rng, last)
    if roll < 0.06 and " " in last:
        return last.replace(" ", "")
    return last


def dob_variant(rng: random.Random, dob: dt.date) -> dt.date | str | None:
    roll = rng.random()
    if roll < 0.025 and dob.day <= 12 and dob.day != dob.month:
        return dt.date(dob.year, dob.day, dob.month)  # day and month swapped
    if roll < 0.05:  # one digit wrong
        for _ in range(10):
            text = dob.strftime("%Y%m%d")
            i = rng.choice([2, 3, 6, 7])
            text = text[:i] + str(rng.randint(0, 9)) + text[i + 1:]
            try:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                continue
    if roll < 0.06:
        return "placeholder"
    return dob


def case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    return text.upper() if roll < 0.15 else text.lower() if roll < 0.22 else text


def unit_text(rng: random.Random, unit: str) -> str:
    return rng.choice([f"Apt {unit}", f"#{unit}", f"Unit {unit}", f"Apartment {unit}",
                       f"APT {unit}", f"# {unit}"])


def street_text(rng: random.Random, addr, long_form: bool) -> str:
    street = addr.street if rng.random() > 0.03 else typo(rng, addr.street)
    stype = addr.street_type[0] if long_form else addr.street_type[1]
    if not long_form and rng.random() < 0.3:
        stype += "."
    parts = [addr.house]
    if addr.pre:
        parts.append(addr.pre[0] if long_form else addr.pre[1])
    parts += [street, stype]
    return " ".join(parts)


def phone_text(rng: random.Random, digits: str, style: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    if rng.random() < 0.02:
        c = c[:3] + str((int(c[3]) + 1) % 10)  # last digit wrong
    return {
        "paren": f"({a}) {b}-{c}", "dash": f"{a}-{b}-{c}", "dot": f"{a}.{b}.{c}",
        "plain": f"{a}{b}{c}", "intl": f"+1 {a}-{b}-{c}", "one": f"1{a}{b}{c}",
    }[style]


def email_variant(rng: random.Random, email: str) -> str:
    roll = rng.random()
    if roll < 0.02:
        local, _, domain = email.partition("@")
        return f"{typo(rng, local)}@{domain}"
    if roll < 0.08:
        return email.upper() if rng.random() < 0.5 else email.capitalize()
    if roll < 0.11 and email.endswith("@gmail.com"):
        local = email.split("@")[0].replace(".", "")
        return f"{local}+shop@gmail.com"
    return email
