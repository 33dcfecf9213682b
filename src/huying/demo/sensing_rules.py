"""The demo's alarm rules (sensing_facts.RULES), plus one water-class rule per assessment
section. Rules have no code, so a rule is known by its name: one that exists is left as it is
(an operator may have tuned it in the admin)."""

from huying.calls.models import Matter
from huying.demo import sensing_facts as facts
from huying.sensing.choices import DeviceKind, RuleKind, Severity, StationKind
from huying.sensing.models import Rule, Station


def load_rules(summary) -> None:
    for spec in facts.RULES:
        _rule(summary, dict(spec))
    for station in Station.objects.filter(kind=StationKind.SECTION).order_by("code"):
        _rule(
            summary,
            {
                "name": f"{station.name}水质类别超过目标（{_roman(station.target_class)}类）",
                "kind": RuleKind.WATER_CLASS, "device_kind": DeviceKind.WATER_ANALYSER,
                "station": station, "severity": Severity.MAJOR, "dispatch": True,
                "matter": facts.SECTION_RULE_MATTER,
            },
        )  # fmt: skip


def _rule(summary, fields: dict) -> None:
    exists = Rule.objects.filter(name=fields["name"]).exists()
    summary.count("告警规则", created=not exists)
    if exists:
        return
    matter = fields.pop("matter", None)
    Rule.objects.create(
        dispatch_matter=Matter.objects.filter(code=matter).first() if matter else None, **fields
    )


def _roman(n: int | None) -> str:
    return {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ"}.get(n or 0, "")
