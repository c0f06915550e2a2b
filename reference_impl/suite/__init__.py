"""The vector suite: the catalogue of cases, the bug catalogue and the generator
that writes `vectors/`. Imports the math core; the core never imports this."""
