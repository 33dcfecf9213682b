"""`huying hj212 check`: the real command on real files (plain and gzip), its counts, the
rejected line numbers by reason and its exit code."""

import gzip
import re
import subprocess
import sys

from huying.cli import main
from tests.sensing.hj212_files import vectors

VECTORS = vectors()


def line(vid: str) -> bytes:
    packet, crc_text = VECTORS[vid]
    return (packet + ("" if vid == "X" else crc_text) + "\r\n").encode()


def run(capsys, *args) -> tuple[int, str]:
    code = main(["hj212", "check", *map(str, args)])
    return code, capsys.readouterr().out


def test_a_mixed_plain_file(tmp_path, capsys):
    path = tmp_path / "mixed.h212"
    short = line("C").replace(b"##0139", b"##0138")
    path.write_bytes(
        line("A") + line("C") + b"\r\n" + line("E") + line("X") + b"noise\r\n" + short + line("C")
    )
    code, out = run(capsys, path)
    assert code == 1
    assert "共 7 个数据包" in out  # the blank line 3 is not a packet
    assert "解析成功 4 个，拒收 3 个" in out
    assert re.search(r"2011\s+2\s+实时数据", out)
    assert re.search(r"1062\s+1\s+设置实时数据间隔", out)
    assert re.search(r"3032\s+1\s+未识别的 CN", out)
    assert re.search(r"^  32\s+4$", out, re.M)
    assert "读数：6 个（来自 2 个数据上传包）" in out
    assert f"[crc] CRC 校验不符：1 个\n    位置：{path}:5\n" in out
    assert f"[garbage] 包头 ## 之前有无法识别的字节：1 个\n    位置：{path}:6\n" in out
    assert f"[size] 数据段的实际长度与长度字段不符：1 个\n    位置：{path}:7\n" in out


def test_a_clean_gzip_file_exits_0(tmp_path, capsys):
    path = tmp_path / "clean.h212.gz"
    path.write_bytes(gzip.compress(line("A") + line("E") + line("C")))
    code, out = run(capsys, path)
    assert code == 0
    assert "解析成功 3 个，拒收 0 个" in out
    assert "拒收原因" not in out


def test_line_numbers_are_limited_per_reason_unless_all(tmp_path, capsys):
    path = tmp_path / "bad.h212"
    path.write_bytes(line("A") + line("X") * 25)
    _, out = run(capsys, path)
    shown = re.findall(rf"{re.escape(str(path))}:(\d+)", out)
    assert shown == [str(n) for n in range(2, 22)]
    assert "等（前 20 个；--all 列出全部）" in out
    _, out = run(capsys, path, "--all")
    assert re.findall(rf"{re.escape(str(path))}:(\d+)", out) == [str(n) for n in range(2, 27)]
    _, out = run(capsys, path, "--limit", "3")
    assert re.findall(rf"{re.escape(str(path))}:(\d+)", out) == ["2", "3", "4"]


def test_several_files_name_their_lines(tmp_path, capsys):
    first, second = tmp_path / "one.h212", tmp_path / "two.h212.gz"
    first.write_bytes(line("X"))
    second.write_bytes(gzip.compress(line("A") + line("X")))
    code, out = run(capsys, first, second)
    assert code == 1
    assert f"位置：{first}:1、{second}:2\n" in out


def test_the_installed_command_runs_as_a_process(tmp_path):
    path = tmp_path / "p.h212"
    path.write_bytes(line("A") + line("X"))
    done = subprocess.run(
        [sys.executable, "-m", "huying.cli", "hj212", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "解析成功 1 个，拒收 1 个" in done.stdout


def test_the_command_explains_itself():
    done = subprocess.run(
        [sys.executable, "-m", "huying.cli", "hj212", "check", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "usage: huying hj212 check" in done.stdout
    assert "plain or gzip" in " ".join(done.stdout.split())
