"""Eight real processes opening reviews and moving components at once.

One component has at most one open review however many people open it together; components that
share nothing but their project never conflict, and the project's card revisions stay numbered
1, 2, 3 ... in the order the changes landed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mltrl.service.registry import Registry

WRITERS = 8


def failures(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.stderr for r in results if r.returncode != 0]


# Every process opens a review of the same components in the same order: each component is a race.
OPEN_REVIEWS = """
import json, re
url, actor, refs = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
opened, refused = {}, set()
with Registry.open(db=url, actor=actor) as reg:
    for k, ref in enumerate(refs):
        next_round(k)
        try:
            opened[ref] = reg.reviews.open(ref).id
        except MltrlError as exc:
            refused.add(re.sub(r"\\d+", "N", exc.message))
print(json.dumps({"opened": opened, "refused": sorted(refused)}))
"""


@pytest.mark.slow
def test_a_component_opened_for_review_at_once_has_one_open_review(
    registry: Registry, db_url: str, racing
) -> None:  # type: ignore[no-untyped-def]
    registry.projects.create("race", "Race")
    refs = [f"race/{i}" for i in range(1, 21)]
    for ref in refs:
        registry.components.add(
            ref, "Model", kind="model", level=3, reason="research done before the registry"
        )
    results = racing(OPEN_REVIEWS, [[db_url, f"p{i}", json.dumps(refs)] for i in range(WRITERS)])
    assert failures(results) == []
    outcomes = [json.loads(r.stdout) for r in results]
    # each component opened by exactly one process; the others were told it is open already
    assert sorted(ref for o in outcomes for ref in o["opened"]) == sorted(refs)
    assert {m for o in outcomes for m in o["refused"]} <= {
        "race/N already has open review N; decide it first"
    }
    open_reviews = [r for r in registry.reviews.list("race") if r.status == "open"]
    assert sorted(r.ref for r in open_reviews) == sorted(refs)
    assert {r.id: r.opened_by for r in open_reviews} == {
        rid: f"p{i}" for i, o in enumerate(outcomes) for rid in o["opened"].values()
    }
    opened_events = [e for e in registry.history("race") if e.kind == "review.open"]
    assert len(opened_events) == len(refs)


# Each process climbs its own component from level 3 to 6 through imported graduations.
CLIMB = """
from datetime import datetime, timedelta
url, ref, start = sys.argv[2], sys.argv[3], datetime.fromisoformat(sys.argv[4])
with Registry.open(db=url, actor=ref) as reg:
    for level in range(4, 7):
        at = start + timedelta(hours=level)
        reg.components.import_graduation(ref, approver="board", to_level=level, at=at)
"""


@pytest.mark.slow
def test_independent_components_of_one_project_never_conflict(
    registry: Registry, db_url: str, racing
) -> None:  # type: ignore[no-untyped-def]
    past = datetime.now(UTC) - timedelta(days=30)
    registry.projects.create("race", "Race", at=past)
    refs = [f"race/{i}" for i in range(1, WRITERS + 1)]
    for ref in refs:
        registry.components.add(ref, "Model", kind="model", level=3, reason="research done before", at=past)
    results = racing(CLIMB, [[db_url, ref, (past + timedelta(days=1)).isoformat()] for ref in refs])
    assert failures(results) == []
    assert {c.level for c in registry.components.list("race")} == {6}
    # every level change froze the project card: one revision each, numbered without gaps, each
    # assembled after the ones before it landed (the system level never goes down)
    revisions = registry.cards.revisions("race")
    assert [r.number for r in revisions] == list(range(1, 3 * WRITERS + 1))
    levels = [r.level for r in revisions]
    assert levels == sorted(levels) and levels[-1] == 6
    assert registry.cards.get("race", revision=len(revisions)).summary.level == 6
    for ref in refs:
        code = ref.split("/")[1]
        assert [r.level for r in registry.cards.revisions("race", code)] == list(range(4, 7))
    assert registry.doctor().healthy


# A bulk load (one transaction, two moves) meets a single move of its second component: on
# PostgreSQL they wait for each other's locks and the server rolls one of them back.
BULK_AND_SINGLE = """
from datetime import datetime, timedelta
url, role, at = sys.argv[2], sys.argv[3], sys.argv[4]
with Registry.open(db=url, actor=role) as reg:
    try:
        if role == "bulk":
            with reg.transaction():
                reg.components.import_graduation("race/1", approver="board", to_level=4, at=at)
                time.sleep(1.0)  # meanwhile the single move holds race/2 and waits for the project
                reg.components.import_graduation("race/2", approver="board", to_level=4, at=at)
        else:
            next_round(8)  # 0.4 s after the bulk load began
            reg.components.import_graduation("race/2", approver="board", to_level=4, at=at)
        print("landed")
    except MltrlError as exc:
        print("refused:", exc.message)
"""


@pytest.mark.slow
def test_a_bulk_load_meeting_a_single_write_ends_in_one_line_either_way(
    registry: Registry, db_url: str, racing
) -> None:  # type: ignore[no-untyped-def]
    past = datetime.now(UTC) - timedelta(days=30)
    registry.projects.create("race", "Race", at=past)
    for ref in ("race/1", "race/2"):
        registry.components.add(ref, "Model", kind="model", level=3, reason="research done before", at=past)
    at = (past + timedelta(days=1)).isoformat()
    results = racing(BULK_AND_SINGLE, [[db_url, "bulk", at], [db_url, "single", at]])
    assert failures(results) == []
    said = {r.args[1]: r.stdout.strip() for r in results}
    assert all(line.count("\n") == 0 for line in said.values()), said
    assert "landed" in said.values(), said
    for line in said.values():  # the one refused was told what happened, not "cannot use the registry"
        assert line == "landed" or "nothing was written" in line or "already at level 4" in line, said
    levels = {c.code: c.level for c in registry.components.list("race")}
    assert levels == ({"1": 4, "2": 4} if said["bulk"] == "landed" else {"1": 3, "2": 4})
    assert [r.number for r in registry.cards.revisions("race")] == list(
        range(1, sum(levels.values()) - 6 + 1)
    )
    assert registry.doctor().healthy
