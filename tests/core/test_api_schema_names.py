"""OpenAPI names a schema by its class name: two apps' `NoteIn` would silently become one in the
documentation (the second replaces the first, examples and all). Every API schema's name must
be unique across the project."""

from collections import defaultdict

from ninja import Schema

import huying.api  # noqa: F401  (imports every router and so every schema)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_api_schema_has_a_name_of_its_own():
    where = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("huying."):
            where[schema.__name__].add(schema.__module__)
    clashes = {name: sorted(mods) for name, mods in where.items() if len(mods) > 1}
    assert not clashes, f"rename one of each: {clashes}"
