"""Makes great_expectations_validation.json: a Great Expectations 1.x validation of scikit-learn's wine
table against four expectations, one of which fails (alcohol is not within 11-14 everywhere).

    python -m venv /tmp/gx && /tmp/gx/bin/pip install great-expectations==1.24.1 scikit-learn
    /tmp/gx/bin/python make_great_expectations.py
"""

import json

import great_expectations as gx
from sklearn.datasets import load_wine

frame = load_wine(as_frame=True).frame
context = gx.get_context(mode="ephemeral")
batch = (
    context.data_sources.add_pandas("wine")
    .add_dataframe_asset("table")
    .add_batch_definition_whole_dataframe("all")
    .get_batch(batch_parameters={"dataframe": frame})
)
suite = gx.ExpectationSuite(
    name="wine-ingestion",
    expectations=[
        gx.expectations.ExpectColumnValuesToNotBeNull(column="alcohol"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="alcohol", min_value=11, max_value=14),
        gx.expectations.ExpectColumnValuesToBeInSet(column="target", value_set=[0, 1, 2]),
        gx.expectations.ExpectTableRowCountToBeBetween(min_value=100, max_value=1000),
    ],
)
result = batch.validate(suite)
with open("great_expectations_validation.json", "w", encoding="utf-8") as out:
    json.dump(result.to_json_dict(), out, indent=1)
print("success:", result.success, result.statistics)
