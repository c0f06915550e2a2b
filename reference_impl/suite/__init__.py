"""The vector suite: the catalogue of cases and the generator that writes `vectors/`
and the spec's generated tables. Imports core/, format/ and explain/."""
