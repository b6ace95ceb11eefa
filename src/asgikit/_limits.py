"""Default limits for reading request bodies and forms.

Every limit can be overridden per call (``Body.read_bytes(max_body_size=...)``,
``Body.read_form(max_fields=..., ...)``). The defaults are meant to be safe on a small server
facing hostile clients while letting ordinary browser forms and large uploads through.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_FIELDS",
    "DEFAULT_MAX_FIELDS_SIZE",
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_FILE_SIZE",
    "DEFAULT_MAX_MULTIPART_SIZE",
    "DEFAULT_MAX_PART_HEADER_COUNT",
    "DEFAULT_MAX_PART_HEADER_SIZE",
    "DEFAULT_MAX_PART_SIZE",
    "MAX_CONTENT_LENGTH",
    "SPOOL_MAX_SIZE",
]

_KIB: Final = 1024
_MIB: Final = 1024 * _KIB
_GIB: Final = 1024 * _MIB

DEFAULT_MAX_BODY_SIZE: Final = 10 * _MIB
"""Largest body read into memory: ``read_bytes``, ``read_text``, ``read_json`` and
urlencoded ``read_form``. 10 MiB fits any realistic JSON API payload or HTML form while
bounding the memory one request can pin."""

DEFAULT_MAX_MULTIPART_SIZE: Final = 2 * _GIB
"""Largest ``multipart/form-data`` body. Files are spooled to disk, so this bounds disk use
per request rather than memory; it leaves room for one maximal file plus its fields."""

DEFAULT_MAX_FIELDS: Final = 1000
"""Most non-file fields in one form (urlencoded pairs or multipart parts). Each field costs
Python objects; a cap stops the "millions of empty fields" attack (CVE-2023-30798 and kin)."""

DEFAULT_MAX_FILES: Final = 100
"""Most files in one multipart form. Each file beyond the spool size holds an open file
descriptor until closed; 100 (as Django) stays well below typical ``ulimit -n`` values."""

DEFAULT_MAX_PART_SIZE: Final = 1 * _MIB
"""Largest single non-file field value (multipart part or encoded urlencoded pair). Fields
are kept in memory, so this is checked before each append (CVE-2024-47874)."""

DEFAULT_MAX_FIELDS_SIZE: Final = DEFAULT_MAX_BODY_SIZE
"""Largest total of all non-file multipart field values, which are held in memory. Without
it ``max_fields * max_part_size`` (1 GiB at the defaults) could be buffered; it matches the
in-memory ``DEFAULT_MAX_BODY_SIZE`` of urlencoded forms."""

DEFAULT_MAX_FILE_SIZE: Final = 1 * _GIB
"""Largest single uploaded file. Big enough for ordinary uploads (videos, archives) while
bounding the disk one file can fill."""

DEFAULT_MAX_PART_HEADER_COUNT: Final = 8
"""Most header lines in one multipart part. Browsers send two (``Content-Disposition`` and
``Content-Type``); 8 leaves room for clients adding ``Content-Transfer-Encoding`` and others
(CVE-2026-42561)."""

DEFAULT_MAX_PART_HEADER_SIZE: Final = 4 * _KIB
"""Largest header block of one multipart part (names and values added up). A
``Content-Disposition`` with a 255-byte UTF-8 filename needs well under 1 KiB."""

MAX_CONTENT_LENGTH: Final = 2**63 - 1
"""Largest ``Content-Length`` value accepted as a number at all; anything larger is invalid."""

SPOOL_MAX_SIZE: Final = 1 * _MIB
"""Uploaded files stay in memory up to this size, then roll over to a temporary file on disk
(the rollover and every later disk write run off the event loop)."""
