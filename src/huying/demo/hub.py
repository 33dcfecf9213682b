"""The demo district's departmental extract: residents of 云城街道, 三元里街道 and 人和镇,
written by the synthetic generator with the demo's own villages, then loaded, linked and
refreshed the way a real extract is (`huying datahub load`, `link`): every hub page has data.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from huying.datahub import linkage
from huying.datahub.choices import LoadStatus
from huying.datahub.loading import load_folder
from huying.datahub.models import Load, Resident
from huying.datahub.synthetic import ExtractSpec, write_extract
from huying.orgs.models import Org

DEMO_TOWNS = ("云城街道", "三元里街道", "人和镇")
DEMO_RESIDENTS = 50_000
LABEL = "演示数据：出租屋、门禁、平安白云、来穗登记"


@dataclass
class HubSummary:
    records: int
    residents: int
    seconds: float
    skipped: bool = False

    def describe(self) -> str:
        if self.skipped:
            return "数据共享演示数据已在库中，未重复导入"
        return (
            f"数据共享：导入 {self.records:,} 条部门记录，链接为 {self.residents:,} 名实有人口"
            f"（{self.seconds:.0f} 秒）"
        )


def _towns() -> list[tuple[str, list[str]]]:
    towns = []
    for name in DEMO_TOWNS:
        town = Org.objects.get(name=name)
        villages = list(town.children.order_by("code").values_list("name", flat=True))
        towns.append((name, villages))
    return towns


def load_demo_hub(residents: int = DEMO_RESIDENTS) -> HubSummary:
    """Idempotent: a demo extract already loaded is not loaded again."""
    if Load.objects.filter(label=LABEL, status=LoadStatus.SUCCEEDED).exists():
        return HubSummary(0, Resident.objects.count(), 0.0, skipped=True)
    started = time.perf_counter()
    folder = Path(settings.DATAHUB_DIR) / "demo-extract"
    write_extract(folder, ExtractSpec(residents=residents, towns=_towns(), seed=20261124))
    load = load_folder(folder, label=LABEL)
    if load.status != LoadStatus.SUCCEEDED:  # the generator and the format disagree: a bug
        raise RuntimeError(f"demo extract refused: {load.problems[:3]}")
    linkage.link(full=True)
    return HubSummary(load.records, Resident.objects.count(), time.perf_counter() - started)
