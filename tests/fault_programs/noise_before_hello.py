"""Not a fault: a launcher prints progress on stdout before the program starts (as
`dart run` may). The harness ignores non-JSON lines before the hello and notes them."""

from _common import serve, write_raw

write_raw(b"Building package executable...\nBuilt adapter:adapter.\n")
serve()
