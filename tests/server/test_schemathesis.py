"""Schemathesis over the published OpenAPI schema: generated requests, valid and invalid, to every
route, as a site admin (so they get past the door and reach the service layer): never a 5xx."""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from server_site import Site

#: Examples per route and mode: what bounds the run (about a minute for the ~100 routes on a quiet
#: two-core machine).
EXAMPLES = 8


@pytest.mark.slow
def test_no_generated_request_makes_the_server_fail(shared_site: Site) -> None:
    schema = schemathesis.openapi.from_url(f"{shared_site.url}/openapi.json")
    headers = {"Authorization": f"Bearer {shared_site.tokens['root']}"}
    # Path parameters drawn partly from what exists, so generated bodies reach the service layer.
    known = {"key": st.sampled_from(["p", "q", "nope"]), "code": st.sampled_from(["1", "7", "9.9"])}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 70  # every route, the breadth of issue 13 included
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy, data=st.data())
            def call(case, data) -> None:  # type: ignore[no-untyped-def]
                for name, values in known.items():
                    if case.path_parameters and name in case.path_parameters and data.draw(st.booleans()):
                        case.path_parameters[name] = data.draw(values)
                response = case.call(base_url=shared_site.url, headers=headers, timeout=30)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"
                    )

            # A route with no parameters and no body has no invalid request to make: Unsatisfiable.
            with contextlib.suppress(Unsatisfiable):
                call()
    assert failures == []
    # The server is still healthy and the registry still consistent.
    with shared_site.registry() as reg:
        assert reg.doctor().healthy
