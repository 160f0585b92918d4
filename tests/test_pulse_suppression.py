"""Which groups of a results breakdown are hidden: every small group, and its complement."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.pulses.suppression import hidden_groups


def test_all_groups_at_or_over_the_threshold_hide_nothing():
    assert hidden_groups({"a": 5, "b": 7, "c": 12}, 5) == set()


def test_one_small_group_takes_the_next_smallest_with_it():
    # b alone hidden: total − a − c would give it away.
    assert hidden_groups({"a": 20, "b": 2, "c": 6, "d": 9}, 5) == {"b", "c"}


def test_two_small_groups_summing_under_the_threshold_take_the_next_smallest():
    # 1 + 1 < 5: a member of one of them could read the other's answer.
    assert hidden_groups({"a": 8, "b": 1, "c": 1, "d": 6}, 5) == {"b", "c", "d"}


def test_small_groups_summing_to_the_threshold_hide_no_more():
    assert hidden_groups({"a": 8, "b": 3, "c": 2, "d": 6}, 5) == {"b", "c"}


def test_everything_may_end_up_hidden():
    assert hidden_groups({"a": 2, "b": 6}, 5) == {"a", "b"}


def test_the_group_of_respondents_in_no_team_counts_like_any_other():
    assert hidden_groups({None: 1, 1: 10, 2: 7}, 5) == {None, 2}


def test_empty_groups_are_not_groups():
    assert hidden_groups({"a": 0, "b": 9, "c": 10}, 5) == set()


def test_ties_hide_the_same_group_every_time():
    assert hidden_groups({"x": 1, "b": 7, "a": 7}, 5) == {"x", "a"}


counts = st.dictionaries(st.integers(0, 30), st.integers(0, 40), max_size=12)
thresholds = st.integers(2, 25)


@given(counts, thresholds)
def test_no_small_group_shows(groups, threshold):
    hidden = hidden_groups(groups, threshold)
    assert all(g in hidden for g, n in groups.items() if 0 < n < threshold)


@given(counts, thresholds)
def test_what_subtraction_yields_is_never_under_the_threshold(groups, threshold):
    # The total minus the shown groups is the hidden groups' sum: none, or at least the threshold,
    # unless there is nothing left to hide behind (then everything is hidden).
    hidden = hidden_groups(groups, threshold)
    present = {g for g, n in groups.items() if n > 0}
    hidden_sum = sum(groups[g] for g in hidden)
    assert hidden <= present
    assert not hidden or hidden_sum >= threshold or hidden == present


@given(counts, thresholds)
def test_only_the_smallest_shown_groups_are_hidden_beyond_the_small_ones(groups, threshold):
    hidden = hidden_groups(groups, threshold)
    extra = {g for g in hidden if groups[g] >= threshold}
    shown = [n for g, n in groups.items() if n > 0 and g not in hidden]
    assert all(groups[g] <= min(shown, default=groups[g]) for g in extra)
