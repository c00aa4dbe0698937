"""What the plugin refuses (wrong markers, bad settings) and what it never half-records (interrupted runs)."""

from __future__ import annotations

import pytest
from plugin_harness import evidence

from mltrl.service.registry import Registry

pytest_plugins = ["pytester"]

GOOD = """
import pytest

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.golden-dataset")
def test_good():
    pass
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('component="recycling/1.1", criterion="L7.no-such"', "level 7 has no criterion 'L7.no-such'"),
        (
            'component="recycling/9.9", criterion="L7.golden-dataset"',
            "no component '9.9' in project 'recycling'",
        ),
        (
            'component="recycling/3.1", criterion="L1.sample-data"',
            "recycling/3.1 is retired; it takes no more",
        ),
        ('component="recycling/1.1", criterion="L7.golden-dataset", rubric="M9"', "rubric 'M9'"),
        (
            'component="recycling/1.1", requirement="1"',
            "requirement 1 has V&V steps ?1, 2?: say which with step=",
        ),
        ('component="recycling/1.1", requirement="1", step=7', "requirement 1 has no V&V step 7"),
        ('component="recycling/1.1", requirement="4"', "no requirement '4'"),
        ('component="recycling/1.1"', "it backs nothing: give criterion="),
        ('criterion="L7.golden-dataset"', "no component named"),
        ('component="recycling/1.1", criteria="L7.golden-dataset"', "no argument 'criteria'"),
    ],
)
def test_a_wrong_marker_is_a_collection_error_naming_the_test(
    pytester: pytest.Pytester, seeded: Registry, db_url: str, marker: str, message: str
) -> None:
    pytester.makepyfile(test_suite=GOOD + f"\n@pytest.mark.mltrl({marker})\ndef test_wrong():\n    pass\n")
    result = run(pytester, "--mltrl", "--mltrl-db", db_url)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([f"*test_suite.py::test_wrong: @pytest.mark.mltrl: {message}*"])
    result.stdout.fnmatch_lines(["*1 error during collection*"])
    assert evidence(seeded) == []  # the good test did not run, and nothing was recorded


def test_an_interrupted_run_records_nothing(pytester: pytest.Pytester, seeded: Registry, db_url: str) -> None:
    pytester.makepyfile(
        test_suite=GOOD
        + """
def test_ctrl_c():
    raise KeyboardInterrupt
"""
    )
    # no_reraise_ctrlc: the inner run's Ctrl-C must not stop this (outer) session too.
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--mltrl", "--mltrl-db", db_url, no_reraise_ctrlc=True
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*the run did not finish: no evidence was recorded*"])
    assert evidence(seeded) == []


def test_pytest_exit_even_with_status_0_records_nothing(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(
        test_suite=GOOD
        + """
def test_stop():
    pytest.exit("stopping early", returncode=0)

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.metamorphic")
def test_never_runs():
    pass
"""
    )
    result = run(pytester, "--mltrl", "--mltrl-db", db_url)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*the run did not finish: no evidence was recorded*"])
    assert evidence(seeded) == []


def test_a_crashed_run_records_nothing(pytester: pytest.Pytester, seeded: Registry, db_url: str) -> None:
    pytester.makepyfile(test_suite=GOOD + "\ndef test_crash():\n    import os\n    os._exit(3)\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mltrl", "--mltrl-db", db_url)
    assert result.ret == 3
    assert evidence(seeded) == []


def test_a_missing_registry_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=GOOD)
    missing = pytester.path / "none" / "mltrl.db"
    result = run(pytester, "--mltrl", "--mltrl-db", f"sqlite:///{missing}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*mltrl: no registry database at {missing}; run `mltrl init`*"])
    assert not missing.parent.exists()


def test_settings_come_from_pyproject_and_options_override_them(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    pytester.makepyprojecttoml(f'[tool.mltrl]\ndb = "{db_url}"\nactor = "pyproject-bot"\n')
    run(pytester, "--mltrl").assert_outcomes(passed=1)
    run(pytester, "--mltrl", "--mltrl-actor", "cli-bot").assert_outcomes(passed=1)
    assert [e.recorded_by for e in evidence(seeded)] == ["pyproject-bot", "cli-bot"]


def test_settings_without_the_option_record_nothing(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    pytester.makepyprojecttoml(f'[tool.mltrl]\ndb = "{db_url}"\ngate = "recycling/1.1"\n')
    run(pytester).assert_outcomes(passed=1)
    assert evidence(seeded) == []


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('dbb = "x"', "[tool.mltrl] has no setting 'dbb' (known: db, actor, gate)"),
        ("actor = 3", "[tool.mltrl] actor must be a string"),
        ("gate = [1]", "[tool.mltrl] gate must be a component (or a list of them)"),
    ],
)
def test_bad_settings_are_a_usage_error_naming_the_file(
    pytester: pytest.Pytester, seeded: Registry, db_url: str, toml: str, message: str
) -> None:
    pytester.makepyfile(test_suite=GOOD)
    pytester.makepyprojecttoml(f"[tool.mltrl]\n{toml}\n")
    result = run(pytester, "--mltrl", "--mltrl-db", db_url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"mltrl: {pytester.path / 'pyproject.toml'}: {message}" in result.stderr.str()
    assert evidence(seeded) == []


def test_evidence_the_registry_refuses_at_the_end_rolls_back_the_whole_run(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    # recycling/2.1's evidence would be accepted; recycling/1.1 is retired while the run goes on, so
    # its evidence is refused at the end: one transaction, so neither lands, and the run fails.
    pytester.makepyfile(
        test_suite=f"""
import pytest
from mltrl.service.registry import Registry

@pytest.mark.mltrl(component="recycling/2.1", criterion="L1.sample-data")
def test_first():
    pass

@pytest.mark.mltrl(component="recycling/1.1", criterion="L7.metamorphic")
def test_retires_its_component():
    with Registry.open({db_url!r}, actor="ops") as reg:
        reg.components.retire("recycling/1.1", reason="replaced by the new sorter")
"""
    )
    result = run(pytester, "--mltrl", "--mltrl-db", db_url)
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["nothing was recorded: recycling/1.1 is retired; it takes no more evidence"])
    assert evidence(seeded) == [] and evidence(seeded, "recycling/2.1") == []


def test_a_test_that_only_feeds_the_ml_test_score_backs_its_criterion(
    pytester: pytest.Pytester, seeded: Registry, db_url: str
) -> None:
    """rubric= alone is not "backs nothing": the evidence goes to L7.ml-test-score, and the score
    counts it for each rubric item it names (automated: the plugin recorded it)."""
    pytester.makepyfile(
        test_suite="import pytest\n\n"
        '@pytest.mark.mltrl(component="recycling/1.1", rubric=["I1", "Mon5"])\n'
        "def test_training_is_reproducible():\n    pass\n"
    )
    assert run(pytester, "--mltrl", "--mltrl-db", db_url).ret == pytest.ExitCode.OK
    [piece] = evidence(seeded)
    assert piece.criterion_id == "L7.ml-test-score" and piece.outcome == "pass"
    items = {item.id: item for item in seeded.components.score("recycling/1.1").items}
    assert items["I1"].points == 1.0 and items["Mon5"].points == 1.0
    assert items["I2"].points == 0.0
