"""The vector format and its plumbing, one home for each idea: the vocabulary of
features, flags and bugs, the JSON Schemas, the strict JSON parser, JSON paths,
case files, canonical JSON and the vector loader. Imports core/, never above it."""
