"""The settings half of a starter config: blocking rules, comparisons and the rest,
proposed only for the canonical fields some source maps (a rule on a field no source
has would block nothing; a comparison of it would always be null)."""

from resolver.errors import InputError

NAME_FIRST = {"first_name", "full_name"}
NAME_LAST = {"last_name", "full_name"}
ADDRESS = {"address", "street", "unit", "city", "state", "postcode"}
ZIP = {"address", "postcode"}
STREET = {"address", "street"}
# what each blocking key needs some source to map
NEEDS = {"first_name_canonical": NAME_FIRST, "first_initial": NAME_FIRST,
         "last_name_metaphone": NAME_LAST, "dob": {"dob"}, "zip5": ZIP, "zip3": ZIP,
         "building_key": STREET, "email": {"email"}, "phone": {"phone"}}
BLOCKING_RULES = [
    ["last_name_metaphone", "zip5"], ["first_name_canonical", "dob"],
    ["last_name_metaphone", "dob"], ["email"], ["phone"], ["building_key", "first_initial"],
    ["first_name_canonical", "last_name_metaphone"], ["dob", "zip3"],
]
TRAINING_RULES = [["dob"], ["first_name_canonical", "last_name_metaphone"]]
COMPARISONS = [  # (the fields one of which some source must map, the table's lines)
    (NAME_FIRST, ['kind = "first_name"', "term_frequency = true"]),
    (NAME_LAST, ['kind = "last_name"', "term_frequency = true"]),
    ({"dob"}, ['kind = "dob"']),
    (ADDRESS, ['kind = "address"', "term_frequency = true"]),
    ({"email"}, ['kind = "email"', "term_frequency = true"]),
    ({"phone"}, ['kind = "phone"', "term_frequency = true"]),
    ({"suffix", "full_name"}, ['name = "suffix"', 'kind = "text"', 'field = "suffix"',
                               'levels = ["exact", "missing_one_side", "else"]']),
]
TAIL = """[thresholds]
match = 0.95                   # at or above: the same person
review = 0.50                  # between review and match: the steward's review queue

[decisions]
path = "decisions.csv"         # steward decisions (`resolver review`); absent file: none yet
"""


def _usable(rule: list[str], mapped: set[str]) -> bool:
    return all(NEEDS[key] & mapped for key in rule)


def _rules(name: str, rules: list[list[str]]) -> list[str]:
    return [f"{name} = ["] + [f"  {rule!r},".replace("'", '"') for rule in rules] + ["]"]


def settings_lines(mapped: set[str]) -> list[str]:
    comparisons = [lines for needs, lines in COMPARISONS if needs & mapped]
    blocking = [rule for rule in BLOCKING_RULES if _usable(rule, mapped)]
    if not comparisons or not blocking:
        raise InputError("no column of the given files could be mapped to a name, date of "
                         "birth, address, email or phone, so there is nothing to compare. "
                         "Check the files' header lines, or write the config by hand")
    lines = ["[blocking]", *_rules("rules", blocking), ""]
    training = [rule for rule in TRAINING_RULES if _usable(rule, mapped)]
    if training:
        lines += ["[model]", *_rules("training_rules", training), ""]
    for table in comparisons:
        lines += ["[[comparisons]]", *table, ""]
    return lines + TAIL.splitlines() + [""]
