"""Matching a reporting task's fields against the data catalogue: "is this already shared?".

The machine is offline, so "semantic" here means a hand-written synonym table
(matching_synonyms: what cadres call the same thing, with roles such as 监护人 that make a
different item) plus token overlap of jieba's word segmentation; no language model. For two
fields a = (label, meaning) and b:

    fuzzy(x, y)   = (jaccard(tokens x, tokens y) + dice(bigrams x, bigrams y)) / 2
    label         = fuzzy(label a, label b)     (tokens: jieba, stop words out; see
                                                 label_similarity for two refinements)
    meaning       = fuzzy(meaning a, meaning b) (0 when either meaning is empty)
    base          = 0.75 · label + 0.25 · meaning     (label only when a has no meaning)
    score         = 0.85 + 0.15 · max(label, meaning)  both labels read as the same
                                                        (role, concept) in the table
                  = min(base, 0.35)                    both read, but as different items
                  = base · 0.5                         otherwise, when the roles differ
                  = base                               otherwise
    generic labels (序号, 备注, 状态 ...) score 0: the hub cannot supply them.

A pair is the same data when score >= THRESHOLD (0.6, chosen on the labelled pairs of
tests/supervision/field_pairs.tsv). The label weighs three times the meaning because forms
often leave the meaning empty or copy it loosely.
"""

import itertools
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from huying.supervision import matching_synonyms as synonyms

THRESHOLD = 0.6
SAME_FLOOR, DIFFERENT_CAP, ROLE_PENALTY = 0.85, 0.35, 0.5
LABEL_WEIGHT = 0.75

STOP_WORDS = frozenset(
    "的了和或及与在中等其该本为是如按个条所被由对之以含各每一"
    "于上下内时后前有无并且即将已可应须经到从向这那此里"
) | {"记录", "信息", "情况", "相关", "有关", "具体"}
_NOT_WORD = re.compile(r"^[\W_]+$")

_jieba = None
_jieba_lock = threading.Lock()


def _tokenizer():
    """jieba's dictionary takes a while to load: once per process, on first use, quietly."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for form in synonyms.all_surfaces():
                    tokenizer.add_word(form)
                _jieba = tokenizer
    return _jieba


@lru_cache(maxsize=65536)
def tokens(text: str) -> frozenset[str]:
    words = _tokenizer().lcut(text)
    return frozenset(w for w in words if w not in STOP_WORDS and not _NOT_WORD.match(w))


@lru_cache(maxsize=65536)
def bigrams(text: str) -> frozenset[str]:
    chars = [c for c in text if c.isalnum()]
    if len(chars) < 2:
        return frozenset(chars)
    return frozenset(a + b for a, b in itertools.pairwise(chars))


def _jaccard(x: frozenset, y: frozenset) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def _dice(x: frozenset, y: frozenset) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def fuzzy(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return (_jaccard(tokens(a), tokens(b)) + _dice(bigrams(a), bigrams(b))) / 2


# Words forms use interchangeably at the end of a label (地块编号 = 地块编码).
_WORDS = (("增长率", "增幅"), ("增长", "增幅"), ("编号", "编码"), ("类型", "类别"),
          ("日期", "时间"), ("时限", "期限"))  # fmt: skip
HEAD_SIMILARITY = 0.8


def canonical_words(label: str) -> str:
    for word, same in _WORDS:
        label = label.replace(word, same)
    return label


def label_similarity(a: str, b: str) -> float:
    """fuzzy() of two labels after the table of interchangeable words; at least
    HEAD_SIMILARITY when the shorter label ends the longer one and is at least half of it:
    Chinese puts the head noun last, so 参保险种 is a 险种 (but 企业安全管理人员姓名 is no 姓名)."""
    a, b = canonical_words(a), canonical_words(b)
    short, long = sorted((a, b), key=len)
    head = long.endswith(short) and 2 * len(short) >= len(long)
    return max(fuzzy(a, b), HEAD_SIMILARITY if head else 0.0)


@dataclass(frozen=True)
class Scored:
    score: float
    how: str  # "same" (synonym table), "different", "role", "fuzzy", "generic"


def score_fields(a: tuple[str, str], b: tuple[str, str]) -> Scored:
    (label_a, meaning_a), (label_b, meaning_b) = a, b
    if synonyms.is_generic(label_a) or synonyms.is_generic(label_b):
        return Scored(0.0, "generic")
    norm_a, norm_b = synonyms.normalise(label_a), synonyms.normalise(label_b)
    label = 1.0 if norm_a == norm_b else label_similarity(norm_a, norm_b)
    meaning = fuzzy(meaning_a or "", meaning_b or "")
    base = LABEL_WEIGHT * label + (1 - LABEL_WEIGHT) * meaning if meaning_a else label
    read_a, read_b = synonyms.read_label(label_a), synonyms.read_label(label_b)
    if read_a and read_b:
        if read_a == read_b:
            return Scored(SAME_FLOOR + (1 - SAME_FLOOR) * max(label, meaning), "same")
        return Scored(min(base, DIFFERENT_CAP), "different")
    if synonyms.roles_in(label_a) != synonyms.roles_in(label_b):
        return Scored(base * ROLE_PENALTY, "role")
    return Scored(base, "fuzzy")


def field_similarity(a: tuple[str, str], b: tuple[str, str]) -> float:
    """How likely two fields (label, meaning) are the same data item, 0..1."""
    return score_fields(a, b).score


def equivalent(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether two fields ask for the same data (used for the overlap between tasks)."""
    return field_similarity(a, b) >= THRESHOLD


_TEXT_SAME = {"考评": "考核", "测评": "考核", "评比": "考核", "督查": "检查", "检查考核": "考核"}


def text_similarity(a: str, b: str) -> float:
    """Similarity of two free texts (assessment names, their items), 0..1: word overlap
    (words such as 考评/考核 counted as one) averaged with character-bigram overlap."""
    if not a or not b:
        return 0.0
    ta = frozenset(_TEXT_SAME.get(w, w) for w in tokens(a))
    tb = frozenset(_TEXT_SAME.get(w, w) for w in tokens(b))
    return (_dice(ta, tb) + _dice(bigrams(a), bigrams(b))) / 2


def candidate_keys(label: str) -> set[str]:
    """The index keys of a label: its bigrams, its words and its concept. A catalogue field
    sharing none of them scores at most 1 - LABEL_WEIGHT < THRESHOLD, so it need not be
    compared at all."""
    norm = canonical_words(synonyms.normalise(label))
    keys = {f"b:{g}" for g in bigrams(norm)} | {f"t:{w}" for w in tokens(norm)}
    read = synonyms.read_label(label)
    if read:
        keys.add(f"c:{read[1]}")
    return keys


# --- the catalogue index -----------------------------------------------------------------------

POLICY_RANK = {"open": 0, "on_request": 1, "restricted": 2}


@dataclass(frozen=True)
class Match:
    field_id: int
    category_id: int
    category_code: str
    category_name: str
    owner_id: int
    owner_name: str
    label: str
    meaning: str
    score: float
    reason: str


@dataclass(frozen=True)
class _Category:
    id: int
    code: str
    name: str
    owner_id: int
    owner_name: str
    rank: int
    updated_at: object
    grams: frozenset


class Matcher:
    """The catalogue's distinct (label, meaning) pairs, an inverted index from label keys to
    pairs, and every (category, field) behind each pair, best first: open before on request
    before restricted, then the most recently updated."""

    def __init__(self, rows: Sequence[tuple[int, str, str, _Category]]):
        self.pairs: list[tuple[str, str]] = []
        self.holders: list[list[tuple[int, _Category]]] = []
        self.index: dict[str, list[int]] = {}
        slot: dict[tuple[str, str], int] = {}
        for field_id, label, meaning, category in rows:
            pair = (label, meaning)
            if pair not in slot:
                slot[pair] = len(self.pairs)
                self.pairs.append(pair)
                self.holders.append([])
                for key in candidate_keys(label):
                    self.index.setdefault(key, []).append(slot[pair])
            self.holders[slot[pair]].append((field_id, category))
        for holders in self.holders:
            holders.sort(key=lambda h: (h[1].rank, -h[1].updated_at.timestamp(), h[1].code))

    @classmethod
    def for_catalogue(cls) -> "Matcher":
        """The matcher of the current catalogue, built once per process and again when the
        catalogue changes (its field count, last field id or latest category update)."""
        key = _catalogue_key()
        with _cache_lock:
            cached = _cache.get("matcher")
            if cached and cached[0] == key:
                return cached[1]
        matcher = cls.from_database()
        with _cache_lock:
            _cache["matcher"] = (key, matcher)
        return matcher

    @classmethod
    def from_database(cls) -> "Matcher":
        from huying.datahub.models import Category, CategoryField

        rows = Category.objects.filter(is_active=True).values_list(
            "pk", "code", "name", "owner_id", "owner__name", "access_policy", "updated_at"
        )
        categories = {
            pk: _Category(
                pk, code, name, owner, owner_name, POLICY_RANK.get(policy, 3), at, bigrams(name)
            )
            for pk, code, name, owner, owner_name, policy, at in rows
        }
        fields = CategoryField.objects.filter(category__is_active=True).values_list(
            "pk", "label", "meaning", "category_id"
        )
        return cls([(pk, label, meaning, categories[c]) for pk, label, meaning, c in fields])

    def match(self, fields: Sequence[tuple[str, str]]) -> list[Match | None]:
        """The best catalogue field for each (name, meaning), or None under THRESHOLD."""
        seen: dict[tuple[str, str], Match | None] = {}
        for field in fields:
            if field not in seen:
                seen[field] = self._best(field)
        return [seen[field] for field in fields]

    def _best(self, field: tuple[str, str]) -> Match | None:
        candidates = {i for key in candidate_keys(field[0]) for i in self.index.get(key, ())}
        scored = [(score_fields(field, self.pairs[i]), i) for i in candidates]
        scored = [(s, i) for s, i in scored if s.score >= THRESHOLD]
        if not scored:
            return None
        top = max(s.score for s, _ in scored)
        context = bigrams(field[0] + (field[1] or ""))
        best = min(
            ((s, i, h) for s, i in scored if s.score >= top - 1e-9 for h in self.holders[i]),
            key=lambda c: _preference(c[2][1], context),
        )
        return _as_match(field, *best, pair=self.pairs[best[1]])


def _preference(category: _Category, context: frozenset) -> tuple:
    """Among equal scores: the most open category, then the one whose name shares most with
    the task field (出租屋地址 -> 出租屋基本信息), then the most recently updated."""
    overlap = len(context & category.grams)
    return (category.rank, -overlap, -category.updated_at.timestamp(), category.code)


def _as_match(field, scored: Scored, i: int, holder, *, pair: tuple[str, str]) -> Match:
    field_id, category = holder
    names = {"task": field[0], "label": pair[0], "score": scored.score}
    reason = (
        _("“%(task)s”与目录数据项“%(label)s”是同一数据（同义词表）") % names
        if scored.how == "same"
        else _("“%(task)s”与目录数据项“%(label)s”的名称和含义相近（相似度 %(score).2f）") % names
    )
    return Match(
        field_id=field_id,
        category_id=category.id,
        category_code=category.code,
        category_name=category.name,
        owner_id=category.owner_id,
        owner_name=category.owner_name,
        label=pair[0],
        meaning=pair[1],
        score=round(scored.score, 3),
        reason=reason,
    )


def _catalogue_key() -> tuple:
    from django.db import connection
    from django.db.models import Count, Max

    from huying.datahub.models import CategoryField

    facts = CategoryField.objects.filter(category__is_active=True).aggregate(
        n=Count("pk"), top=Max("pk"), latest=Max("category__updated_at"),
        categories=Count("category", distinct=True),
    )  # fmt: skip
    return (connection.settings_dict["NAME"], *sorted(facts.items()))


_cache: dict[str, tuple] = {}
_cache_lock = threading.Lock()
