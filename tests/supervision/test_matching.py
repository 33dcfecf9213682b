"""Field matching against the catalogue: the labelled pairs (precision and recall), the
synonym table and its near misses, and the matcher over the demo catalogue."""

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from huying.core import clock
from huying.datahub.catalogue_demo import load_demo_catalogue
from huying.datahub.choices import AccessPolicy, UpdateFrequency
from huying.datahub.models import Category, CategoryField
from huying.supervision import matching
from huying.supervision.matching import Matcher, equivalent, field_similarity, text_similarity

PAIRS = Path(__file__).with_name("field_pairs.tsv")


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once for this module (committed beside the demo district),
    and removed after it: the other tests must not find fields already shared by chance."""
    with django_db_blocker.unblock():
        before = set(Category.objects.values_list("pk", flat=True))
        load_demo_catalogue()
    yield
    with django_db_blocker.unblock():
        Category.objects.exclude(pk__in=before).delete()


def labelled_pairs() -> list[dict]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_labelled_pairs_reach_the_precision_and_recall_targets():
    rows = labelled_pairs()
    assert len(rows) >= 200
    found = [
        (
            row["same"] == "1",
            equivalent(
                (row["task_field"], row["task_meaning"]),
                (row["catalogue_label"], row["catalogue_meaning"]),
            ),
        )
        for row in rows
    ]
    true_pos = sum(truth and said for truth, said in found)
    precision = true_pos / sum(said for _, said in found)
    recall = true_pos / sum(truth for truth, _ in found)
    print(f"\nfield matching on {len(rows)} labelled pairs: "
          f"precision {precision:.3f}, recall {recall:.3f}")  # fmt: skip
    assert precision >= 0.9
    assert recall >= 0.85


def test_labelled_set_has_hard_negatives_sharing_words():
    negatives = [r for r in labelled_pairs() if r["same"] == "0"]
    sharing = [r for r in negatives if set(r["task_field"]) & set(r["catalogue_label"])]
    assert len(negatives) >= 100
    assert len(sharing) >= 60


@pytest.mark.parametrize(
    ("task", "catalogue"),
    [
        ("名字", "姓名"),
        ("人员姓名", "姓名"),
        ("公民身份号码", "身份证号"),
        ("证件号码", "身份证号"),
        ("身份证号码", "身份证号"),
        ("手机号码", "联系电话"),
        ("联系方式", "联系电话"),
        ("实际居住地", "现住址"),
        ("居住地址", "现住址"),
        ("户籍所在地", "户籍地址"),
        ("出生年月", "出生日期"),
        ("所在村（居）", "所属村社"),
        ("法人代表身份证号码", "法定代表人身份证号"),
        ("出租屋地址", "详细地址"),
    ],
)
def test_what_cadres_call_the_same_thing_matches(task, catalogue):
    assert equivalent((task, ""), (catalogue, ""))
    assert field_similarity((task, ""), (catalogue, "")) >= 0.85


@pytest.mark.parametrize(
    ("task", "catalogue"),
    [
        ("监护人姓名", "姓名"),
        ("监护人电话", "联系电话"),
        ("出生日期", "登记时间"),
        ("户籍地址", "现住址"),
        ("企业名称", "姓名"),
        ("户主姓名", "姓名"),
        ("河长电话", "联系电话"),
        ("联系人电话", "联系电话"),
        ("注册地址", "经营地址"),
        ("户号", "电表户号"),
    ],
)
def test_near_misses_are_different_data(task, catalogue):
    assert not equivalent((task, ""), (catalogue, ""))
    assert not equivalent((catalogue, ""), (task, ""))


def test_the_meaning_counts_below_the_label():
    bare = field_similarity(("家庭人口", ""), ("家庭成员数", "共同生活的家庭成员人数。"))
    explained = field_similarity(
        ("家庭人口", "共同生活的家庭成员人数"), ("家庭成员数", "共同生活的家庭成员人数。")
    )
    assert explained > bare
    unrelated_label = field_similarity(("气温", "家庭成员人数"), ("家庭人口数", "家庭成员人数"))
    assert unrelated_label < matching.THRESHOLD


def test_generic_columns_never_match():
    assert field_similarity(("备注", ""), ("备注", "经办人员填写的补充说明。")) == 0
    assert field_similarity(("序号", ""), ("记录编号", "")) == 0


def test_text_similarity_ranks_similar_assessments_above_unrelated():
    similar = text_similarity("城市管理综合考评", "城市管理工作考核")
    unrelated = text_similarity("城市管理综合考评", "安全生产检查")
    assert similar > unrelated
    assert text_similarity("创建文明城市考核", "创建文明城市考核") == pytest.approx(1.0)
    assert text_similarity("", "考核") == 0


def test_matcher_finds_the_owner_and_category_in_the_demo_catalogue(db, demo_catalogue):
    task = [("身份证号码", "居民身份证号"), ("联系方式", ""), ("本村今年新种果树棵数", ""),
            ("出租屋地址", "出租屋的详细地址"), ("监护人电话", "")]  # fmt: skip
    found = Matcher.for_catalogue().match(task)
    assert found[2] is None
    for match in (found[0], found[1], found[3]):
        field = CategoryField.objects.select_related("category__owner").get(pk=match.field_id)
        assert (match.category_id, match.category_code) == (field.category_id, field.category.code)
        assert (match.owner_id, match.owner_name) == (field.category.owner_id,
                                                       field.category.owner.name)  # fmt: skip
        assert match.label == field.label and match.score >= matching.THRESHOLD
        assert match.reason
    assert found[0].label == "身份证号"
    assert found[1].label == "联系电话"
    assert found[3].label == "详细地址"
    assert found[4] is None or found[4].label == "监护人电话"


def test_matcher_prefers_an_open_category_and_rebuilds_when_the_catalogue_changes(
    db, demo_catalogue, org
):
    before = Matcher.for_catalogue()
    assert Matcher.for_catalogue() is before
    owner = org("440111-swj")
    now = clock.now()
    closed = _category("T-0001", "测试河长名录（受限）", owner, AccessPolicy.RESTRICTED, now)
    opened = _category("T-0002", "测试河长名录", owner, AccessPolicy.OPEN, now - timedelta(days=9))
    for category in (closed, opened):
        CategoryField.objects.create(
            category=category, name="river_chief", label="河长姓名", meaning="河长的姓名。"
        )
    after = Matcher.for_catalogue()
    assert after is not before
    (match,) = after.match([("河长姓名", "")])
    assert match.category_id == opened.pk and match.owner_name == owner.name
    assert before.match([("河长姓名", "")]) == [None]


def _category(code, name, owner, policy, updated_at) -> Category:
    return Category.objects.create(
        code=code, name=name, owner=owner, source_system="测试系统",
        update_frequency=UpdateFrequency.MONTHLY, access_policy=policy, updated_at=updated_at,
    )  # fmt: skip
