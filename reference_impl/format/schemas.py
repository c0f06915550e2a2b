"""The JSON Schemas of spec/schemas, loaded once, with their cross-references resolved
locally (nothing is ever fetched from the network), and the one formatter of their errors."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from reference_impl.format.json_path import json_path

SCHEMA_NAMES = ("case", "trace", "vector", "manifest", "protocol")


def schema_directory() -> Path:
    """spec/schemas in a source checkout, or the copy packed into an installed wheel."""
    package = Path(__file__).resolve().parents[1]  # reference_impl/
    packed = package / "_schemas"
    if packed.is_dir():
        return packed
    return package.parent / "spec" / "schemas"


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
def registry_without_trace() -> Registry[Any]:
    """The schemas of spec/schemas with the trace schema replaced by "any object": for documents
    whose trace the comparison checks number by number (it names the path of every wrong one)."""
    trace_id = load_schema("trace")["$id"]
    stub = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": trace_id, "type": "object"}
    resources = [(trace_id, Resource.from_contents(stub))]
    for name in SCHEMA_NAMES:
        if name != "trace":
            schema = load_schema(name)
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator_without_trace(name: str) -> Draft202012Validator:
    """A validator for one of SCHEMA_NAMES that takes any object where a trace belongs."""
    return Draft202012Validator(load_schema(name), registry=registry_without_trace())


@cache
def validator_for(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for one of SCHEMA_NAMES."""
    return Draft202012Validator(load_schema(name), registry=registry())


@cache
def property_validator(name: str, key: str) -> Draft202012Validator:
    """A validator for one top-level property of schema `name` (its `properties/<key>`), for
    checking a few fields of a large document without walking the rest."""
    return Draft202012Validator({"$ref": f"{load_schema(name)['$id']}#/properties/{key}"}, registry=registry())


def schema_problems(validator: Draft202012Validator, document: Any) -> list[str]:
    """Every violation of the validator's schema, as 'at path: message', shallowest first
    (and a missing key before the rest at the same place)."""
    errors = sorted(
        validator.iter_errors(document),
        key=lambda error: (
            len(error.absolute_path),
            error.validator != "required",
            [str(part) for part in error.absolute_path],
        ),
    )
    problems = []
    for error in errors:
        problems.append(f"at {json_path(error.absolute_path)}: {_describe(error)}")
    return problems


def _describe(error: ValidationError) -> str:
    """One error in words: the deepest branch of a oneOf, and the schema's description of what was expected."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda inner: len(inner.absolute_path))
        return _describe(deepest)
    if error.validator == "not" and isinstance(error.instance, dict):
        return "unexpected key(s) for this activation (`slope` belongs to leaky_relu only)"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    message = str(error.message)
    if len(message) > 500:  # the message quotes the value, which can be any size
        message = f"{message[:500]} ... ({len(message)} characters in all)"
    if description and error.validator in (
        "type",
        "enum",
        "minItems",
        "minimum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "maximum",
    ):
        message += f" (expected: {description})"
    return message
