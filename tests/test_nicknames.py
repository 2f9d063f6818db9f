"""Nickname data used with judgement: sure relations only."""

import pytest

from resolver.normalize.names import are_nicknames

SAME = [("jimmy", "james"), ("jim", "jimmy"), ("bob", "robert"), ("rob", "bob"),
        ("bill", "william"), ("jack", "john"), ("fred", "frederick"), ("alfred", "fred"),
        ("harry", "henry"), ("ned", "edward"), ("kate", "katie"), ("polly", "mary"),
        ("tom", "thomas"), ("lizzie", "betsy"), ("peggy", "maggie")]
DIFFERENT = [("jimmy", "jamie"), ("fred", "will"), ("fred", "bill"), ("willie", "bill"),
             ("john", "james")]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_sure_nicknames_are_one_name(a, b):
    assert are_nicknames(a, b) and are_nicknames(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_names_that_only_share_a_loose_formal_name_are_not(a, b):
    assert not are_nicknames(a, b) and not are_nicknames(b, a)
