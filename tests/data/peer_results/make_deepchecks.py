"""Makes deepchecks_data_integrity.json: Deepchecks' data_integrity suite on scikit-learn's breast cancer
table with a few rows made dirty (duplicates, nulls, a mixed-type column), so some checks pass and
some do not.

    python -m venv /tmp/dc && /tmp/dc/bin/pip install deepchecks==0.19.1 scikit-learn==1.5.2 \
        pandas==2.2.3 numpy==1.26.4 category_encoders==2.6.4 'setuptools<70'
    /tmp/dc/bin/python make_deepchecks.py
"""

import numpy as np
from deepchecks.tabular import Dataset
from deepchecks.tabular.suites import data_integrity
from sklearn.datasets import load_breast_cancer

frame = load_breast_cancer(as_frame=True).frame
frame = frame[["mean radius", "mean texture", "mean area", "mean smoothness", "target"]].copy()
frame.loc[np.arange(0, 40), "mean texture"] = np.nan  # nulls
frame = frame.astype({"mean area": object})
frame.loc[np.arange(50, 60), "mean area"] = "unknown"  # a string among numbers
frame = frame._append(frame.iloc[:60], ignore_index=True)  # duplicate rows
result = data_integrity().run(Dataset(frame, label="target", cat_features=[]))
with open("deepchecks_data_integrity.json", "w", encoding="utf-8") as out:
    out.write(result.to_json(with_display=False))
print("passed:", [r.get_header() for r in result.get_passed_checks()])
print("not passed:", [r.get_header() for r in result.get_not_passed_checks()])
