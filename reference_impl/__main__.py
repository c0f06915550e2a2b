"""`python -m reference_impl` runs the `backprop-spec` command (cli.py), for when the script is not on PATH."""

import sys

from reference_impl.cli import main

sys.exit(main(prog="python -m reference_impl"))
