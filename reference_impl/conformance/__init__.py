"""Conformance: compare a foreign trace with a vector, diagnose the likely bug, and
drive foreign programs over protocol v1. Imports core/ and format/; nothing below
imports this package."""
