"""Makes evidently_report.json and evidently_legacy_test_suite.json: an Evidently 0.7 report with
tests (the data drift preset with include_tests) on two halves of scikit-learn's wine table, the
second shifted so some tests fail.

    python -m venv /tmp/ev && /tmp/ev/bin/pip install 'evidently==0.7.*' 'pandas<3' scikit-learn
    /tmp/ev/bin/python make_evidently.py
"""

from evidently import Report
from evidently.presets import DataDriftPreset
from sklearn.datasets import load_wine

frame = load_wine(as_frame=True).frame[["alcohol", "malic_acid", "ash", "magnesium", "proline"]]
reference, current = frame.iloc[::2].copy(), frame.iloc[1::2].copy()
current["alcohol"] += 1.5  # a shift the drift tests should see
current["proline"] *= 1.8
snapshot = Report([DataDriftPreset()], include_tests=True).run(current_data=current, reference_data=reference)
with open("evidently_report.json", "w", encoding="utf-8") as out:
    out.write(snapshot.json())
print("written")

# The legacy test suite (evidently.legacy, the 0.4-0.6 API kept in 0.7), which many pipelines still run.
from evidently.legacy.test_preset import DataDriftTestPreset  # noqa: E402
from evidently.legacy.test_suite import TestSuite  # noqa: E402

suite = TestSuite(tests=[DataDriftTestPreset()])
suite.run(reference_data=reference, current_data=current)
with open("evidently_legacy_test_suite.json", "w", encoding="utf-8") as out:
    out.write(suite.json())
print("written legacy")
