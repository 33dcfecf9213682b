"""Resident ID numbers (GB 11643-1999) and phone numbers: checks that explain themselves.

Every loaded record, every number typed in a page, goes through `check_id_number`; what it
finds is stored with the record and shown to people as a plain Chinese sentence, so a cadre
knows what to fix ("校验位错误，可能有一位录错") rather than just that something is wrong.

Which region codes a number may carry is `core.regions`.
"""

import re
from dataclasses import dataclass
from datetime import date

from huying.core import regions

ERROR, WARNING, INFO = "error", "warning", "info"
MALE, FEMALE = "男", "女"
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)


# What each finding code is called in the pages and reports.
LABELS = {
    "missing": "缺少身份证号",
    "length": "位数不对",
    "format": "含非法字符",
    "checksum": "校验位错误",
    "birth_date": "出生日期不存在",
    "region": "地区码不存在",
    "birth_mismatch": "出生日期不一致",
    "gender": "性别不一致",
    "upgraded": "15 位旧号码",
    "phone": "电话号码格式不正确",
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: str = ERROR


@dataclass(frozen=True)
class Correction:
    """One way a mistyped number could be made valid: which digits change to what."""

    number: str
    positions: tuple[int, ...]  # 1-based, as a cadre counts them

    @property
    def describe(self) -> str:
        if len(self.positions) == 2:
            a, b = self.positions
            return f"第 {a}、{b} 位可能颠倒"
        (p,) = self.positions
        return f"第 {p} 位可能录错，应为 {self.number[p - 1]}"


@dataclass(frozen=True)
class IdCheck:
    number: str  # normalised: upper-case X, 15-digit numbers upgraded to 18
    birth_date: date | None
    gender: str | None  # from the sequence digit
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalise(raw: str | None) -> str:
    """Strip spaces and separators, full-width digits to ASCII, x to X."""
    value = (raw or "").strip().translate(_FULL_WIDTH).upper()
    return re.sub(r"[\s\-]", "", value)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


def upgrade_15(number: str) -> str:
    """A 15-digit number (issued before 1999: YYMMDD, born in the 1900s) as its 18-digit form."""
    first17 = f"{number[:6]}19{number[6:]}"
    return first17 + check_digit(first17)


def check_id_number(
    raw: str | None, *, birth_date: date | None = None, gender: str | None = None
) -> IdCheck:
    """Every finding about one ID number; `birth_date`/`gender` are what the record itself
    says, so a disagreement with the number is found and can point at the mistyped digit."""
    number = normalise(raw)
    if not number:
        return IdCheck("", None, None, (Finding("missing", "缺少身份证号"),))
    shape = _shape_finding(number)
    if shape:
        return IdCheck(number, None, None, (shape,))
    findings: list[Finding] = []
    if len(number) == 15:
        number = upgrade_15(number)
        findings.append(Finding("upgraded", "15 位旧号码，已按规则升级为 18 位", INFO))
    born = birth_date_of(number)
    sex = gender_of(number)
    findings += _content_findings(number, born)
    if number[17] != check_digit(number[:17]):
        findings.append(_checksum_finding(number, birth_date, gender))
    findings += _hint_findings(number, born, sex, birth_date, gender)
    return IdCheck(number, born, sex, tuple(findings))


def _shape_finding(number: str) -> Finding | None:
    if len(number) not in (15, 18):
        return Finding("length", f"身份证号应为 18 位（旧号码 15 位），这里是 {len(number)} 位")
    body = number if len(number) == 15 else number[:17]
    if not body.isdigit() or (len(number) == 18 and not re.fullmatch(r"[\dX]", number[17])):
        return Finding("format", "身份证号含有不该出现的字符：只能是数字，最后一位可以是 X")
    return None


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_of(number: str) -> str:
    return MALE if int(number[16]) % 2 else FEMALE


def _content_findings(number: str, born: date | None) -> list[Finding]:
    found = []
    if born is None:
        found.append(
            Finding("birth_date", f"出生日期 {number[6:10]}-{number[10:12]}-{number[12:14]} 不存在")
        )
    elif born < _EARLIEST_BIRTH or born > date.today():
        found.append(Finding("birth_date", f"出生日期 {born:%Y-%m-%d} 不合理"))
    region = region_finding(number[:6], born.year if born else None)
    if region:
        found.append(region)
    return found


def region_finding(code: str, year: int | None) -> Finding | None:
    verdict = regions.verdict(code, year)
    if verdict is None:
        return None
    return Finding("region", verdict)


def _checksum_finding(number: str, birth_date: date | None, gender: str | None) -> Finding:
    message = "校验位错误，可能有一位录错"
    if birth_date is None:  # without the record's own birth date almost every digit could be it
        return Finding("checksum", message)
    fixes = corrections(number, birth_date=birth_date, gender=gender)
    if len(fixes) == 1:
        message += f"：{fixes[0].describe}（按登记的出生日期）"
    return Finding("checksum", message)


def _hint_findings(
    number: str, born: date | None, sex: str, birth_date: date | None, gender: str | None
) -> list[Finding]:
    found = []
    if birth_date is not None and born is not None and born != birth_date:
        found.append(
            Finding(
                "birth_mismatch",
                f"登记的出生日期是 {birth_date:%Y-%m-%d}，身份证号里是 {born:%Y-%m-%d}",
            )
        )
    if gender in (MALE, FEMALE) and gender != sex:
        parity = "奇" if sex == MALE else "偶"
        found.append(
            Finding("gender", f"登记的性别是{gender}，但第 17 位是{parity}数（{sex}）", WARNING)
        )
    return found


def corrections(
    number: str, *, birth_date: date | None = None, gender: str | None = None
) -> list[Correction]:
    """The single-digit substitutions and adjacent swaps that make `number` a valid ID
    (and agree with the record's own birth date and gender, when given)."""
    number = normalise(number)
    if len(number) != 18:
        return []
    first17 = number[:17]
    if first17.isascii() and first17.isdigit():  # the check digit is settled by arithmetic
        candidates, acceptable = _sound_neighbours(number), _agrees
    else:
        candidates, acceptable = _neighbours(number), _acceptable
    return [
        Correction(candidate, positions)
        for candidate, positions in candidates
        if acceptable(candidate, birth_date, gender)
    ]


def _neighbours(number: str):
    chars = list(number)
    for i in range(18):
        options = "0123456789X" if i == 17 else "0123456789"
        for d in options:
            if d != chars[i]:
                yield "".join([*chars[:i], d, *chars[i + 1 :]]), (i + 1,)
    for i in range(17):
        if chars[i] != chars[i + 1]:
            swapped = [*chars]
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            yield "".join(swapped), (i + 1, i + 2)


def _sound_neighbours(number: str):
    """`_neighbours` of a number whose first 17 characters are digits, less the candidates
    with a wrong check digit, in the same order. The check is arithmetic on the number's
    weighted sum, so the ~200 rejected candidates are never built as strings: a load asks
    this of every record with a bad check digit and a stated birth date."""
    digits = [ord(c) - 48 for c in number[:17]]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    check = number[17]
    for i in range(17):
        base, weight = total - digits[i] * _WEIGHTS[i], _WEIGHTS[i]
        for d in range(10):
            if d != digits[i] and _CHECK_CHARS[(base + d * weight) % 11] == check:
                yield f"{number[:i]}{d}{number[i + 1 :]}", (i + 1,)
    for d in "0123456789X":
        if d != check and d == _CHECK_CHARS[total % 11]:
            yield number[:17] + d, (18,)
    for i in range(17):
        if number[i] == number[i + 1]:
            continue
        if i < 16:
            moved = total + (digits[i + 1] - digits[i]) * (_WEIGHTS[i] - _WEIGHTS[i + 1])
            sound = _CHECK_CHARS[moved % 11] == check
        else:  # the 17th digit trades places with the check character
            sound = (
                check != "X"
                and _CHECK_CHARS[(total + (int(check) - digits[16]) * _WEIGHTS[16]) % 11]
                == number[16]
            )
        if sound:
            yield f"{number[:i]}{number[i + 1]}{number[i]}{number[i + 2 :]}", (i + 1, i + 2)


def _acceptable(candidate: str, birth_date: date | None, gender: str | None) -> bool:
    if not candidate[:17].isdigit() or candidate[17] != check_digit(candidate[:17]):
        return False
    return _agrees(candidate, birth_date, gender)


def _agrees(candidate: str, birth_date: date | None, gender: str | None) -> bool:
    """A candidate with a right check digit: a real date, the record's own birth date and
    gender, and a region code in use then."""
    born = birth_date_of(candidate)
    if born is None or (birth_date is not None and born != birth_date):
        return False
    if gender in (MALE, FEMALE) and gender_of(candidate) != gender:
        return False
    return regions.verdict(candidate[:6], born.year) is None


# --- phones ---------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")


def normalise_phone(raw: str | None) -> str:
    value = re.sub(r"[\s\-()（）]", "", (raw or "").strip().translate(_FULL_WIDTH))
    return value.removeprefix("+86").removeprefix("0086")


def check_phone(raw: str | None) -> tuple[str, Finding | None]:
    """A mainland mobile (11 digits from 13–19) or a landline with its area code."""
    phone = normalise_phone(raw)
    if not phone:
        return "", None
    if _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return phone, None
    if phone.startswith("1"):
        return phone, Finding("phone", f"手机号应为 11 位、以 13–19 开头，这里是 {len(phone)} 位")
    return phone, Finding("phone", "电话号码格式不正确：手机 11 位，座机需带区号")
