"""The `huying` command: every subcommand explains itself, and the admin-side ones work."""

import subprocess
import sys

import pytest

from huying import cli
from huying.orgs.models import User

SUBCOMMANDS = [
    "demo",
    "serve",
    "worker",
    "sweep",
    "migrate",
    "createuser",
    "check",
    "manage",
    "datahub",
    "ingest",
    "hj212",
    "simulate",
]


def _help(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "huying.cli", *args, "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_plain_help(command):
    text = _help(command)
    assert f"usage: huying {command}" in text
    # A description in words, not just the usage line.
    assert len(text.split("\n\n")[1].split()) >= 5


def test_top_level_help_lists_the_commands():
    text = _help()
    for command in [*SUBCOMMANDS, "audit"]:
        assert command in text


def test_datahub_load_has_help():
    text = " ".join(_help("datahub", "load").split())
    assert "all or nothing" in text and "FOLDER" in text


def test_datahub_link_and_export_links_have_help():
    link = " ".join(_help("datahub", "link").split())
    assert "--full" in link and "--retrain" in link and "stable" in link
    export = " ".join(_help("datahub", "export-links").split())
    assert "source, source_key, resident_id" in export and "OUT" in export


def test_datahub_link_spark_has_help():
    text = " ".join(_help("datahub", "link-spark").split())
    assert "--master" in text and "--conf" in text and "clusters.parquet" in text
    assert "--from-spark" in " ".join(_help("datahub", "link").split())


def test_audit_verify_has_help():
    text = _help("audit", "verify")
    assert "edited" in text and "deleted" in text


def test_createuser_makes_a_user_with_role_and_org(db, org, capsys):
    town = org("鹤龙街道")
    code = cli.main(
        [
            "createuser",
            "helong2",
            "--role",
            "caller",
            "--org",
            town.code,
            "--name",
            "王五",
            "--password",
            "a-long-passphrase-42",
        ]
    )
    assert code == 0
    user = User.objects.get(username="helong2")
    assert (user.role, user.org, user.full_name) == ("caller", town, "王五")
    assert user.check_password("a-long-passphrase-42")
    assert "已创建用户 helong2" in capsys.readouterr().out


def test_createuser_refuses_an_unknown_org(db, capsys):
    code = cli.main(
        [
            "createuser",
            "nobody",
            "--role",
            "caller",
            "--org",
            "999",
            "--password",
            "a-long-passphrase-42",
        ]
    )
    assert code == 2
    assert "找不到编码为 999 的单位" in capsys.readouterr().err
    assert not User.objects.filter(username="nobody").exists()


def test_createuser_refuses_a_role_in_the_wrong_kind_of_unit(db, org, capsys):
    code = cli.main(
        [
            "createuser",
            "wrong",
            "--role",
            "responder",
            "--org",
            org("鹤龙街道").code,
            "--password",
            "a-long-passphrase-42",
        ]
    )
    assert code == 2
    assert "org" in capsys.readouterr().err
    assert not User.objects.filter(username="wrong").exists()


def test_check_passes_on_the_test_configuration(db):
    assert cli.main(["check"]) == 0
