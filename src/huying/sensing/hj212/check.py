"""`huying hj212 check FILE…`: how many packets of a capture parse, and why the others not.

One packet per line, plain or gzip. The same parser as ingest, so a file that passes here
is what the TCP door would accept line for line.
"""

import gzip
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from huying.sensing.hj212.codes import CN_NAMES, KINDS, KNOWN_CODES
from huying.sensing.hj212.errors import MESSAGES, FrameError
from huying.sensing.hj212.packet import parse_line, readings

DROP_NAMES = {
    "value": "数值不是有限的数字",
    "no_time": "数据包没有 DataTime",
    "repeat": "同一数据包内重复的监测因子（保留第一个）",
}


@dataclass
class Report:
    files: int = 0
    lines: int = 0
    parsed: int = 0
    by_cn: Counter = field(default_factory=Counter)
    by_st: Counter = field(default_factory=Counter)
    readings: int = 0
    unknown_codes: Counter = field(default_factory=Counter)
    dropped: dict = field(default_factory=dict)
    rejected: Counter = field(default_factory=Counter)
    where: dict = field(default_factory=dict)  # reason -> ["file:line", …] (first `limit`)

    @property
    def ok(self) -> bool:
        return self.lines == self.parsed


def read_lines(path: Path):
    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(path, "rb") as f:
        yield from enumerate(f, start=1)


def check_files(paths: list[Path], limit: int | None = 20) -> Report:
    """limit: line numbers kept per reason (None keeps all)."""
    report = Report(files=len(paths))
    for path in paths:
        for number, line in read_lines(path):
            if line.strip():
                _check_line(report, f"{path}:{number}", line, limit)
    return report


def _check_line(report: Report, where: str, line: bytes, limit: int | None) -> None:
    report.lines += 1
    try:
        packet = parse_line(line)
    except FrameError as exc:
        report.rejected[exc.reason] += 1
        places = report.where.setdefault(exc.reason, [])
        if limit is None or len(places) < limit:
            places.append(where)
        return
    report.parsed += 1
    report.by_cn[packet.cn] += 1
    report.by_st[packet.st] += 1
    found = readings(packet, report.dropped)
    report.readings += len(found)
    for reading in found:
        if reading[1] not in KNOWN_CODES:
            report.unknown_codes[reading[1]] += 1


def format_report(report: Report) -> str:
    out = [
        f"检查了 {report.files} 个文件，共 {report.lines:,} 个数据包（每行一个）：",
        f"  解析成功 {report.parsed:,} 个，拒收 {report.lines - report.parsed:,} 个。",
    ]
    if report.by_cn:
        out.append("按命令编码（CN）：")
        for cn, n in report.by_cn.most_common():
            name = CN_NAMES.get(cn, "未识别的 CN（照常接收，只计数）")
            out.append(f"  {_shown(cn)}  {n:>9,}  {name}")
        out.append("按系统编码（ST）：")
        out += [f"  {_shown(st)}  {n:>9,}" for st, n in report.by_st.most_common()]
    out += _readings_lines(report)
    if report.rejected:
        out.append("拒收原因：")
        for reason, n in report.rejected.most_common():
            out.append(f"  [{reason}] {MESSAGES.get(reason, reason)}：{n:,} 个")
            places = report.where.get(reason, [])
            more = "" if len(places) == n else f" 等（前 {len(places)} 个；--all 列出全部）"
            out.append(f"    位置：{'、'.join(places)}{more}")
    return "\n".join(out)


def _shown(text: str) -> str:
    """Real devices send NULs in ST: show such values escaped."""
    return text if text.isprintable() and text else repr(text)


def _readings_lines(report: Report) -> list[str]:
    data = sum(n for cn, n in report.by_cn.items() if cn in KINDS)
    unknown = sum(report.unknown_codes.values())
    out = [f"数据包中的读数：{report.readings:,} 个（来自 {data:,} 个数据上传包）。"]
    if unknown:
        top = "、".join(f"{c}×{n:,}" for c, n in report.unknown_codes.most_common(20))
        kinds = len(report.unknown_codes)
        out.append(f"  其中未识别的监测因子编码 {unknown:,} 个（{kinds} 种，照常保存）：{top}")
    for reason, n in report.dropped.items():
        out.append(f"  丢弃的读数：{DROP_NAMES.get(reason, reason)} {n:,} 个")
    return out


def run(paths: list[Path], limit: int | None = 20) -> int:
    report = check_files(paths, limit)
    print(format_report(report))
    return 0 if report.ok else 1
