"""Conformance: compare a foreign trace with a vector, diagnose the likely bug, and
drive foreign programs over protocol v1. Imports the math core; the core never
imports this package."""
