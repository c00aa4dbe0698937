"""Data intervention tests on the diabetes and wine tables: declared, inferred, at two stages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from mltrl.checks import DataValidationCheck, Expectation
from mltrl.errors import BadInput


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    frame = X.assign(progression=y, patient=np.arange(len(X)))
    frame["sex"] = frame["sex"].map({1.0: "F", 2.0: "M"})
    return frame.sample(frac=1.0, random_state=0).reset_index(drop=True)


def test_inferred_expectations_pass_on_fresh_rows_of_the_same_source(patients: pd.DataFrame) -> None:
    check = DataValidationCheck.infer(patients.iloc[:300], range_margin=0.5)
    rules = check.to_dict()["columns"]
    assert rules["sex"] == {"dtype": "str", "nullable": False, "allowed": ["F", "M"]}
    assert rules["patient"]["unique"] is True and "unique" not in rules["bmi"]
    result = check.run(patients.iloc[300:], stage="processed")
    assert result.status == "pass", result.reason
    assert result.labels == {"stage": "processed"}
    assert result.evidence_metrics()["stage"] == "processed"
    assert result.metrics == {"rules_failed": 0.0, "rows_failing": 0.0}
    assert result.intervals["rows_failing"][0] == 0.0 < result.intervals["rows_failing"][1]


def test_each_finding_names_column_rule_and_offending_rows(patients: pd.DataFrame) -> None:
    check = DataValidationCheck.infer(patients, strict=True)
    broken = patients.drop(columns="s6").assign(source="lab")
    broken.loc[[3, 4, 5], "bmi"] = np.nan
    broken.loc[7, "sex"] = "X"
    broken.loc[9, "patient"] = broken.loc[10, "patient"]
    broken.loc[11, "age"] = 250.0
    result = check.run(broken, stage="ingestion")
    found = {(f["column"], f["rule"]): f["offending_rows"] for f in result.details}
    n = len(patients)
    assert found == {
        ("age", f"max <= {patients['age'].max():g}"): 1,
        ("bmi", "no nulls"): 3,
        ("patient", "unique"): 2,
        ("s6", "missing column"): n,
        ("sex", "allowed values (F, M)"): 1,
        ("source", "unexpected column"): n,
    }
    assert result.status == "fail" and result.metrics["rules_failed"] == 6
    assert result.reason.startswith("ingestion: 6 rule(s) broken: age max <=")
    sex = next(f for f in result.details if f["column"] == "sex")
    assert sex["examples"] == ["X"]
    as_text = patients.assign(bmi=patients["bmi"].astype(str))
    (wrong,) = check.run(as_text).details  # the range rules cannot run on text: one finding, the dtype
    assert (wrong["column"], wrong["rule"], wrong["offending_rows"]) == ("bmi", "dtype float64", n)


def test_declared_in_yaml_with_a_tolerance(tmp_path: Path, patients: pd.DataFrame) -> None:
    path = tmp_path / "expectations.yaml"
    path.write_text(
        "tolerance: 0.01\n"
        "columns:\n"
        "  age: {dtype: float64, min: 18, max: 90, nullable: false}\n"
        "  sex: {allowed: [F, M]}\n"
        "  bmi: {min: 10, max: 60}\n"
    )
    check = DataValidationCheck.from_yaml(path)
    assert check.expectations[0] == Expectation("age", dtype="float64", min=18, max=90, nullable=False)
    young = patients.copy()
    young.loc[:2, "age"] = 15.0  # 3 of 442 rows: within a 1% tolerance
    result = check.run(young)
    assert result.status == "pass"
    assert result.details[0]["rule"] == "min >= 18" and result.details[0]["offending_rows"] == 3
    young.loc[:9, "age"] = 15.0
    assert check.run(young).status == "fail"


def test_too_few_rows_is_insufficient_and_bad_input_is_one_line(
    tmp_path: Path, patients: pd.DataFrame
) -> None:
    check = DataValidationCheck([Expectation("age", min=0)], min_rows=20)
    short = check.run(patients.iloc[:5], stage="processed")
    assert short.status == "insufficient" and short.labels == {"stage": "processed"}
    with pytest.raises(
        BadInput, match="data-validation: stage 'training' is not one of ingestion, processed"
    ):
        check.run(patients, stage="training")
    with pytest.raises(BadInput, match="data-validation: data is a ndarray, not a pandas DataFrame"):
        check.run(patients.to_numpy())
    with pytest.raises(BadInput, match="data-validation: column 'age': min 5 is above max 1"):
        Expectation("age", min=5, max=1)
    with pytest.raises(BadInput, match=r"column 'age': unknown rule\(s\) maximum; known: dtype"):
        DataValidationCheck.from_dict({"columns": {"age": {"maximum": 3}}})
    with pytest.raises(BadInput, match="column 'age': dtype 'integer64' is not a pandas dtype"):
        Expectation("age", dtype="integer64")
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: [age]\n")
    with pytest.raises(BadInput, match=r"bad.yaml: data-validation: expectations need a 'columns' mapping"):
        DataValidationCheck.from_yaml(bad)
    with pytest.raises(BadInput, match="data-validation: reference has no rows"):
        DataValidationCheck.infer(patients.iloc[:0])


def test_same_inputs_give_bit_identical_results(patients: pd.DataFrame) -> None:
    broken = patients.copy()
    broken.loc[::7, "bmi"] = np.nan
    runs = [DataValidationCheck.infer(patients).run(broken).to_json() for _ in range(2)]
    assert runs[0] == runs[1]
