"""English is the second language: the catalogue is complete, compiled and actually used.

The msgids are the Chinese UI text. Adding or changing Chinese text in a template without
`make messages` (and an English msgstr) fails here, not in front of an English-speaking user.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "huying"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
TEMPLATES = sorted(
    [*(PACKAGE / "templates").rglob("*.html"), *PACKAGE.glob("*/templates/**/*.html")]
)
# 500.html is static (rendered without context or i18n) and already bilingual.
STATIC_TEMPLATES = {"500.html"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            if not line:
                finish()
                entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": []}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if key.startswith("msgstr"):
                entry["msgstr"].append("")
        if key.startswith("msgstr"):
            entry["msgstr"][-1] += value
        else:
            entry[key] = entry.get(key, "") + value
    finish()
    return entries


def catalogue_key(entry: dict) -> str:
    return f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    entries = parse_po(PO)
    assert entries and entries[0]["msgid"] == "", "the .po should start with its header"
    return entries[1:]


def template_msgids() -> set[str]:
    """The msgids the templates ask for: translate literals and blocktranslate bodies."""
    found = set()
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"""{%\s*trans(?:late)?\s+("[^"]*"|'[^']*')""", text):
            found.add(m.group(1)[1:-1])
        block = r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}"
        for m in re.finditer(block, text, flags=re.S):
            for part in re.split(r"{%\s*plural\s*%}", m.group(2)):
                if "trimmed" in m.group(1).split():
                    part = " ".join(line.strip() for line in part.strip().splitlines())
                found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", part))
    return found


def test_every_english_msgstr_is_filled_and_none_is_fuzzy(po_entries):
    assert len(po_entries) > 50
    untranslated = [e["msgid"] for e in po_entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"fill the English msgstr of: {untranslated}"
    assert not fuzzy, f"check and un-fuzzy: {fuzzy}"
    plurals = [e for e in po_entries if "msgid_plural" in e]
    assert plurals and all(len(e["msgstr"]) == 2 for e in plurals)


def test_english_text_has_no_chinese_left(po_entries):
    leftovers = [e["msgid"] for e in po_entries if any(CJK.search(s) for s in e["msgstr"])]
    assert not leftovers


def test_compiled_mo_matches_the_po(po_entries):
    """The .mo is committed (no gettext at run time), so it must be rebuilt with the .po."""
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    expected = {}
    for e in po_entries:
        if "msgid_plural" in e:
            for i, text in enumerate(e["msgstr"]):
                expected[(catalogue_key(e), i)] = text
        else:
            expected[catalogue_key(e)] = e["msgstr"][0]
    compiled = {k: v for k, v in catalog.items() if k != ""}
    stale = {k: (v, compiled.get(k)) for k, v in expected.items() if compiled.get(k) != v}
    assert not stale, "run `make messages` (compilemessages -l en) and commit django.mo"
    assert set(compiled) == set(expected), "django.mo has entries the .po no longer has"


def test_every_template_string_has_a_msgid(po_entries):
    msgids = {e["msgid"] for e in po_entries}
    wanted = template_msgids()
    assert "登录" in wanted and "共 %(n)s 个单位" in wanted  # the scan itself works
    missing = sorted(wanted - msgids)
    assert not missing, f"run `make messages` and translate: {missing}"


def test_no_chinese_text_outside_translate_tags():
    for path in TEMPLATES:
        if path.name in STATIC_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{%\s*blocktrans.*?endblocktrans(?:late)?\s*%}", "", text, flags=re.S)
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}|<!--.*?-->", "", text, flags=re.S)
        text = text.replace(">中文</button>", "")  # the switch names Chinese in Chinese
        bare = [line.strip() for line in text.splitlines() if CJK.search(line)]
        assert not bare, f"{path.relative_to(PACKAGE)}: wrap in {{% translate %}}: {bare}"


def _cjk_free_of_switch(body: str) -> list[str]:
    return CJK.findall(body.replace(">中文</button>", ""))


def test_login_page_default_is_chinese(db):
    body = Client().get("/login/").content.decode()
    assert "登录" in body and 'lang="zh-CN"' in body
    assert "Sign in" not in body


def test_login_page_in_english_by_accept_language(db):
    response = Client(headers={"Accept-Language": "en"}).get("/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Sign in</h1>" in body and 'lang="en"' in body
    assert "Username" in body and "Password" in body
    assert "District Command and Dispatch Platform" in body
    assert not _cjk_free_of_switch(body), "Chinese left on the English login page"


def test_language_switch_sets_english_for_later_pages(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Sign in</h1>" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "<h1>登录</h1>" in client.get("/login/").content.decode()


def test_signed_in_page_in_english_shows_english_nav_and_org_kinds(browser_client):
    client = browser_client("command")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/").content.decode()
    nav = re.search(r'<nav class="nav".*?</nav>', body, flags=re.S).group(0)
    for label in ("Home", "Organisation", "API docs"):
        assert f">{label}</a>" in nav
    assert not CJK.search(nav)
    stat_labels = re.findall(r'<div class="stat-l">(.*?)</div>', body)
    assert {"Town", "Street", "Village", "Community", "District department"} <= set(stat_labels)
    assert "Command centre operator" in body  # the role label
    assert "Command centre overview" in body and "Sign out" in body


def test_signed_in_page_default_stays_chinese(browser_client):
    body = browser_client("command").get("/").content.decode()
    assert ">首页</a>" in body and ">组织架构</a>" in body
    assert '<div class="stat-l">街道</div>' in body
    assert "指挥中心值班员" in body
