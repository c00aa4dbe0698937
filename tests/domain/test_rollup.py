"""System TRL: the lowest level of the live parts, rolled up through composites."""

from __future__ import annotations

from mltrl.domain.model import ComponentKind, Part, Status
from mltrl.domain.rollup import code_sort_key, roll_up

M, C = ComponentKind.MODEL, ComponentKind.COMPOSITE


def part(
    code: str, level: int, kind: ComponentKind = M, parent: str | None = None, status: Status = Status.ACTIVE
) -> Part:
    return Part(code=code, level=level, status=status, kind=kind, parent=parent)


def test_a_composite_is_no_readier_than_its_least_ready_part() -> None:
    result = roll_up([part("1", 8, C), part("1.1", 9, parent="1"), part("1.2", 6, parent="1"), part("2", 7)])
    assert result.effective == {"1": 6, "1.1": 9, "1.2": 6, "2": 7}
    assert result.system_level == 6
    assert result.holders == ["1.2"]


def test_nested_composites_roll_up_all_the_way() -> None:
    parts = [
        part("1", 9, C),
        part("1.1", 9, C, parent="1"),
        part("1.1.1", 5, parent="1.1"),
        part("1.2", 8, parent="1"),
    ]
    result = roll_up(parts)
    assert result.effective["1"] == 5 and result.effective["1.1"] == 5
    assert result.holders == ["1.1.1"]


def test_retired_parts_do_not_hold_the_system_back_but_paused_ones_do() -> None:
    result = roll_up([part("1", 7), part("2", 3, status=Status.RETIRED), part("3", 5, status=Status.PAUSED)])
    assert result.system_level == 5 and result.holders == ["3"] and "2" not in result.effective


def test_no_live_part_means_no_system_level() -> None:
    assert roll_up([part("1", 3, status=Status.RETIRED)]).system_level is None


def test_codes_sort_numerically() -> None:
    assert sorted(["1.10", "1.9", "2", "1.1"], key=code_sort_key) == ["1.1", "1.9", "1.10", "2"]
