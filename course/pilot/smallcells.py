"""Small-cell suppression that holds under differences, for every aggregate the pilot committee sees.

Hiding each group of fewer than five on its own is not enough: "all cohorts" minus "cohort A"
gives the learners outside A, and when that is one person their rating (and comment) is theirs.
The rule here looks at every view the report offers a viewer at once (each cohort and all of them,
each month and all months, and any variant such as "only those who also returned the evaluation").

The rule. Call two people alike when every shown view holds both or neither of them. A set of
views may be shown together only when every group of alike people (among those in some shown
view) has 0 or at least MIN_GROUP people. Any sum, mean, count or list that can be worked out by
adding and subtracting shown views is the same for all alike people, so it covers a whole group
or more: never 1 to 4 people. In particular, for shown views A ⊇ B, |A| - |B| is 0 or >= 5, and
for any two shown views each difference (A minus B, B minus A) is 0 or >= 5.

Views are admitted greedily in the caller's order (broadest first), so the figures people use most
are the ones kept; a view that would split a group below MIN_GROUP is suppressed instead. The
answer depends only on the data and the list of views offered, never on which view was asked for,
so asking for the views one at a time cannot reveal more than the report shows.

Reuse in a new report section (growth evidence, follow-up, habits): collect one
(person id, cohort id, "YYYY-MM") row per person counted, over everything the viewer may see
(not only the chosen filter), and ask `course.pilot.report.view_shown(rows, flt)`; when the
section has variants of the same people (such as "also sent the evaluation"), put every variant
of every view into one `shown_views` call, as `report._knowledge_shown` does.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

MIN_GROUP = 5  # fewer people than this and a figure could point at a person
RULE_NOTE = (
    "Figures are shown only for groups of at least 5 people, and a view is also hidden when comparing "
    "it with another view of this report (for example all cohorts against one cohort, or one month "
    "against all months) would single out between 1 and 4 people."
)


def shown_views(views: Mapping[Hashable, Iterable[Hashable]], order: Iterable[Hashable] | None = None,
                minimum: int = MIN_GROUP) -> set[Hashable]:
    """Return the keys of the views that may be shown: each has 0 or >= minimum people, and no
    difference of shown views (or of any sums of them) covers between 1 and minimum - 1 people."""
    people = {key: frozenset(members) for key, members in views.items()}
    signature: dict[Hashable, int] = {}  # person -> the shown views holding them, as a bit set
    groups: Counter[int] = Counter()  # signature -> how many people share it
    shown: set[Hashable] = set()
    for bit, key in enumerate(order if order is not None else people):
        members = people[key]
        if not members:
            shown.add(key)  # an empty view says nothing about anyone
            continue
        if len(members) < minimum:
            continue
        split: Counter[int] = Counter(signature.get(p, 0) for p in members)
        # Each group is cut into those inside the new view and those outside it; people in no shown
        # view yet (signature 0) become a new group of their own, so only their inside part counts.
        if any(0 < inside < minimum or (sig and 0 < groups[sig] - inside < minimum)
               for sig, inside in split.items()):
            continue
        shown.add(key)
        for person in members:
            old = signature.get(person, 0)
            new = old | (1 << bit)
            signature[person] = new
            if old:
                groups[old] -= 1
            groups[new] += 1
    return shown
