"""The deployed recycling app under watch (built only when ``mltrl[monitor]`` is installed).

A reference profile of the training photos' features, then the last week of served photos, one day
per window: five calm days, then winter light darkens the photos and a web upload page launches,
bringing a device type training never saw and photos without a sharpness score. Predictions are
logged with ids and the users' corrections arrive a day or two later as actuals, so accuracy per day
shows the drift costing recall. The daily check raises a drift and a data-quality alert, which open
the deployment review of the level-9 app.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mltrl.service.registry import Registry

APP = "recycling/1"
LABELS = ["can", "bottle", "carton", "paper", "glass", "other"]
DAYS = 7


def available() -> bool:
    try:
        import mltrl.monitor  # noqa: F401
    except ImportError:
        return False
    return True


def photos(seed: int, rows: int, *, winter: bool = False, web: bool = False) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    devices = ["android", "ios", "web"] if web else ["android", "ios"]
    weights = [0.5, 0.42, 0.08] if web else [0.55, 0.45]
    sharpness = rng.lognormal(1.0, 0.35, rows)
    if web:
        sharpness[rng.random(rows) < 0.08] = np.nan  # the web page does not compute it
    return pd.DataFrame(
        {
            "brightness": rng.normal(0.38 if winter else 0.55, 0.12, rows).clip(0, 1),
            "sharpness": sharpness,
            "width": rng.choice([1080, 1440, 3024], rows, p=[0.5, 0.3, 0.2]),
            "device": rng.choice(devices, rows, p=weights),
            "label": rng.choice(LABELS, rows, p=[0.3, 0.25, 0.15, 0.15, 0.1, 0.05]),
        }
    )


def reference(reg: Registry, ref: str) -> None:
    """The training photos' features as the component's reference, stored before it goes live."""
    reg.monitor.set_reference(ref, photos(1, 20_000), name="default")


def build(reg: Registry, end: datetime) -> None:
    """The deployed app's last week under watch (its reference was stored before go-live)."""
    import numpy as np
    import pandas as pd

    first_id = 0
    for day in range(DAYS):
        served_at = end - timedelta(days=DAYS - day, hours=-12)
        winter = day >= DAYS - 2
        batch = photos(100 + day, 4_000, winter=winter, web=day == DAYS - 1)
        reg.monitor.log(APP, batch, window="day", at=served_at)
        ids = np.arange(first_id, first_id + len(batch))
        first_id += len(batch)
        rng = np.random.default_rng(200 + day)
        truth = batch["label"].to_numpy()
        wrong = rng.random(len(batch)) < (0.16 if winter else 0.06)  # dark photos cost accuracy
        predicted = np.where(wrong, rng.choice(LABELS, len(batch)), truth)
        reg.predictions.log(
            APP, pd.DataFrame({"id": ids, "prediction": predicted}), window="day", at=served_at
        )
        if day < DAYS - 1:  # the last day's corrections have not come in yet
            reg.actuals.log(APP, pd.DataFrame({"id": ids, "actual": truth}))
    reg.monitor.check(APP, open_review=True)
