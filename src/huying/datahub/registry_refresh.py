"""The whole registry refresh after a link or a load: dwellings, today's occupancy, then the
discrepancies, over one read of the hub (a `registry_io.Snapshot`)."""

import time
from dataclasses import dataclass, field

from huying.datahub import registry_io as rio
from huying.datahub.discrepancies import Detection, detect
from huying.datahub.dwellings import DwellingRefresh, refresh_dwellings


@dataclass
class RegistryRefresh:
    dwellings: DwellingRefresh
    discrepancies: Detection
    seconds: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "dwellings": self.dwellings.as_dict(),
            "discrepancies": self.discrepancies.as_dict(),
            "seconds": self.seconds,
        }


def refresh_registry(run=None, *, now=None) -> RegistryRefresh:
    """Dwellings, today's occupancy, then the discrepancies, over one read of the hub. The
    linkage run calls it at its end; `run` (a LinkageRun, optional) shows the step while it
    runs and keeps the counts and timings in its figures["registry"]."""
    started = time.perf_counter()
    snap = rio.Snapshot.open(now)
    try:
        read = time.perf_counter()
        homes = refresh_dwellings(run, snapshot=snap)
        refreshed = time.perf_counter()
        if run is not None:
            type(run).objects.filter(pk=run.pk).update(stage="查找数据差异")
        found = detect(snapshot=snap)
    finally:
        snap.close()
    done = time.perf_counter()
    result = RegistryRefresh(homes, found, {
        "read": round(read - started, 2), "dwellings": round(refreshed - read, 2),
        "discrepancies": round(done - refreshed, 2), "total": round(done - started, 2),
    })  # fmt: skip
    if run is not None and hasattr(run, "figures"):
        run.figures = {**(run.figures or {}), "registry": result.as_dict()}
        type(run).objects.filter(pk=run.pk).update(figures=run.figures)
    return result
