"""Which groups of a breakdown to hide, so no small group can be read or worked out.

Pure: counts in, the set of hidden groups out (bot.pulses.results applies it).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

Group = TypeVar("Group", bound=Hashable)


def hidden_groups(counts: Mapping[Group, int], threshold: int) -> set[Group]:
    """The groups a breakdown must hide, given each group's count and the threshold.

    The rule, in two steps:

    1. Every group with fewer than `threshold` members is hidden (primary
       suppression). Empty groups (0) are not part of the breakdown at all.
    2. Then, while some group is hidden and the hidden groups together hold
       fewer than `threshold` members, the smallest group still shown is hidden
       too (complementary suppression); ties go to the group that sorts first,
       so the same counts always hide the same groups.

    Why step 2 looks at the hidden groups together: the total is shown, so the
    hidden groups' combined figure is always the total minus the shown ones.
    Hiding one small group alone reveals it by subtraction; hiding two groups
    of 1 each reveals their sum, which a member of one of them can turn into
    the other's answer. Once the hidden groups together reach the threshold,
    what subtraction yields is an aggregate of at least `threshold` people:
    exactly what showing a result at all already requires.

    If every group ends up hidden, so be it: nothing of the breakdown shows.
    """
    if threshold <= 1:
        return set()
    present = {group: count for group, count in counts.items() if count > 0}
    hidden = {group for group, count in present.items() if count < threshold}
    shown = sorted((group for group in present if group not in hidden), key=lambda g: (present[g], _order(g)))
    while hidden and sum(present[group] for group in hidden) < threshold and shown:
        hidden.add(shown.pop(0))
    return hidden


def _order(group: Hashable) -> tuple[int, str]:
    # Groups may be ids, names or None (no team): a total order for the ties.
    return (0, "") if group is None else (1, repr(group))
