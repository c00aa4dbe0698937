"""The API shows whether each signature still matches what the review shows, and refuses a graduation
on an approval signed on different evidence, with the CLI's one-line reason."""

from __future__ import annotations

from datetime import UTC, datetime

from server_site import Site

from mltrl.demo import _reviewing


def test_a_stale_approval_is_shown_and_blocks_the_graduation_over_the_api(site: Site) -> None:
    with site.registry() as reg:
        review = reg.reviews.open("p/1").id
        signers = iter(["alan", "rita", "adele", "root"])
        for role in reg.reviews.get(review).template.roles:
            if role.required:
                reg.reviews.add_member(review, role.id, next(signers))
        _reviewing.complete(reg, review, datetime.now(UTC))
    alan = site.client("alan")
    shown = alan.get(f"/api/v1/projects/p/reviews/{review}").json()
    assert {s["status"] for s in shown["signatures"]} == {"matches"}
    assert all(len(s["digest"]) == 64 and s["ssh"] is None for s in shown["signatures"])

    with site.registry() as reg:
        reg.versions.register("p/1", "model", "2.0.0")
    shown = alan.get(f"/api/v1/projects/p/reviews/{review}").json()
    assert {s["status"] for s in shown["signatures"]} == {"signed on different evidence"}
    assert all("model version none -> 2.0.0" in s["changes"] for s in shown["signatures"])
    refused = alan.post(f"/api/v1/projects/p/reviews/{review}/decision", json={"decision": "graduate"})
    assert refused.status_code == 400, refused.text
    assert (
        "approval was signed on different evidence (model version none -> 2.0.0)" in refused.json()["error"]
    )

    # alan signs again through the API, as himself: his signature matches again, the others do not.
    again = alan.post(f"/api/v1/projects/p/reviews/{review}/signatures", json={"verdict": "approve"})
    assert again.status_code == 201, again.text
    status = {s["person"]: s["status"] for s in again.json()["signatures"]}
    assert status["alan"] == "matches"
    assert {v for k, v in status.items() if k != "alan"} == {"signed on different evidence"}
