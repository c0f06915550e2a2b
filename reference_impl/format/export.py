"""Copy a suite of vectors out, as a port vendors it for its own tests: the manifest and every
vector file it lists, byte for byte, into a directory, a .zip or a .tar.gz.

Archives are reproducible: entries in manifest order under one folder named after the spec
version, with fixed dates and permissions, so exporting twice gives the same bytes.

Left out on purpose: choosing or filtering vectors (a vendored suite is the whole suite, so its
manifest stays true) and reading them (vectors.py has checked every sha256 before this runs).
"""

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from reference_impl.format.strict_json import InputError
from reference_impl.format.vectors import VectorSet

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


def suite_files(vectors: VectorSet) -> list[tuple[str, bytes]]:
    """(relative path, bytes) of manifest.json and every vector file, in manifest order."""
    if vectors.manifest is None:
        raise InputError(f"{vectors.source}: no manifest.json here; export needs a whole suite with its manifest")
    files = [("manifest.json", (vectors.source / "manifest.json").read_bytes())]
    for entry in vectors.manifest["vectors"]:
        files.append((str(entry["file"]), vectors.texts[entry["id"]].encode("utf-8")))
    return files


def archive_folder(vectors: VectorSet) -> str:
    """The one folder an archive unpacks into: 'backprop-spec-vectors-1.0.0'."""
    version = vectors.manifest.get("spec_version", "unknown") if vectors.manifest else "unknown"
    return f"backprop-spec-vectors-{version}"


def export(vectors: VectorSet, destination: Path) -> str:
    """Write the suite to `destination` (a new or empty directory, or a .zip / .tar.gz file);
    returns what was written, in words."""
    files = suite_files(vectors)
    name = destination.name
    if name.endswith(".zip"):
        _write_zip(destination, archive_folder(vectors), files)
        return f"{destination}: {len(files)} files in a zip archive, under {archive_folder(vectors)}/"
    if name.endswith((".tar.gz", ".tgz")):
        _write_tar(destination, archive_folder(vectors), files)
        return f"{destination}: {len(files)} files in a gzipped tar archive, under {archive_folder(vectors)}/"
    if destination.exists() and not destination.is_dir():
        raise InputError(f"{destination}: exists and is not a directory (an archive must end in .zip or .tar.gz)")
    if destination.is_dir() and any(destination.iterdir()):
        raise InputError(f"{destination}: the directory is not empty; export into a new or empty one")
    for relative, data in files:
        path = destination / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return f"{destination}: {len(files)} files (manifest.json and {len(files) - 1} vectors)"


def _write_zip(destination: Path, folder: str, files: list[tuple[str, bytes]]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative, data in files:
            info = zipfile.ZipInfo(f"{folder}/{relative}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    destination.write_bytes(buffer.getvalue())


def _write_tar(destination: Path, folder: str, files: list[tuple[str, bytes]]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for relative, data in files:
            info = tarfile.TarInfo(f"{folder}/{relative}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
    # mtime=0 in the gzip header too, so the archive's bytes depend on the files only
    destination.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
