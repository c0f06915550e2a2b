"""The JSON Schemas of spec/schemas, loaded once, with their cross-references resolved
locally (nothing is ever fetched from the network)."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_NAMES = ("case", "trace", "vector", "manifest", "protocol")


def schema_directory() -> Path:
    """spec/schemas in a source checkout, or the copy packed into an installed wheel."""
    packed = Path(__file__).parent / "_schemas"
    if packed.is_dir():
        return packed
    return Path(__file__).resolve().parent.parent / "spec" / "schemas"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema `spec/schemas/<name>.schema.json`."""
    with open(schema_directory() / f"{name}.schema.json", encoding="utf-8") as stream:
        schema: dict[str, Any] = json.load(stream)
    return schema


@cache
def registry() -> Registry[Any]:
    resources = []
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator_for(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for one of SCHEMA_NAMES."""
    return Draft202012Validator(load_schema(name), registry=registry())
