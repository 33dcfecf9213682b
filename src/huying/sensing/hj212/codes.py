"""Parameter codes, data flags and command numbers (CN) the platform knows.

Water codes are HJ 212-2017's; the 2005 edition's codes seen in real traffic map onto them.
HJ 212 has no codes for the enterprise safety sensors of AQ 3035-2010 nor for two
black-odorous indicators, so the project defines short lower-case codes for them (they cannot
clash with the standard's, which are a letter and five digits). Names are marked for the
catalogue: show them with gettext(CODES[code].name).
"""

from typing import NamedTuple

from huying.sensing.hj212.errors import gettext_noop


class Code(NamedTuple):
    code: str
    name: str
    unit: str
    group: str  # "water" or "safety"


def _water(code, name, unit):
    return Code(code, name, unit, "water")


def _safety(code, name, unit):
    return Code(code, name, unit, "safety")


CODES = {
    c.code: c
    for c in (
        _water("w00000", gettext_noop("流量"), "L/s"),
        _water("w01001", gettext_noop("pH 值"), ""),
        _water("w01003", gettext_noop("浊度"), "NTU"),
        _water("w01009", gettext_noop("溶解氧"), "mg/L"),
        _water("w01010", gettext_noop("水温"), "℃"),
        _water("w01014", gettext_noop("电导率"), "μS/cm"),
        _water("w01017", gettext_noop("五日生化需氧量"), "mg/L"),
        _water("w01018", gettext_noop("化学需氧量"), "mg/L"),
        _water("w01019", gettext_noop("高锰酸盐指数"), "mg/L"),
        _water("w21001", gettext_noop("总氮"), "mg/L"),
        _water("w21003", gettext_noop("氨氮"), "mg/L"),
        _water("w21011", gettext_noop("总磷"), "mg/L"),
        # Project codes: black-odorous indicators the 2017 code table lacks.
        _water("trans", gettext_noop("透明度"), "cm"),
        _water("orp", gettext_noop("氧化还原电位"), "mV"),
        # Project codes: enterprise safety sensors (AQ 3035-2010, GB/T 50493-2019).
        _safety("lel", gettext_noop("可燃气体浓度"), "%LEL"),
        _safety("oel", gettext_noop("有毒气体浓度"), "%OEL"),
        _safety("temp", gettext_noop("温度"), "℃"),
        _safety("pres", gettext_noop("压力"), "MPa"),
        _safety("level", gettext_noop("液位"), "m"),
    )
}
KNOWN_CODES = frozenset(CODES)

# HJ/T 212-2005 codes seen in the corpus -> their 2017 codes (sensing-standards.md).
OLD_CODES = {
    "B01": "w00000",
    "001": "w01001",
    "010": "w01017",
    "011": "w01018",
    "060": "w21003",
    "065": "w21001",
    "101": "w21011",
}

FLAGS = {
    "N": gettext_noop("正常"),
    "F": gettext_noop("停运"),
    "M": gettext_noop("维护"),
    "S": gettext_noop("手工输入"),
    "D": gettext_noop("故障"),
    "C": gettext_noop("校准"),
    "T": gettext_noop("超测量上限"),
    "B": gettext_noop("通讯异常"),
}

# Data uploads: CN -> the kind of reading it carries (same numbers in 2005 and 2017).
KINDS = {"2011": "rtd", "2051": "minute", "2061": "hour", "2031": "day"}
KIND_CN = {kind: cn for cn, kind in KINDS.items()}

CN_NAMES = {
    "1011": gettext_noop("提取现场机时间"),
    "1012": gettext_noop("设置现场机时间"),
    "1061": gettext_noop("提取实时数据间隔"),
    "1062": gettext_noop("设置实时数据间隔"),
    "2011": gettext_noop("实时数据"),
    "2021": gettext_noop("设备运行状态"),
    "2031": gettext_noop("日数据"),
    "2051": gettext_noop("分钟数据"),
    "2061": gettext_noop("小时数据"),
    "9011": gettext_noop("请求应答"),
    "9012": gettext_noop("执行结果"),
    "9013": gettext_noop("通知应答"),
    "9014": gettext_noop("数据应答"),
}
