"""The one error the importers raise, and the rules its messages name.

Each message starts with the file it is about, then the rule that was broken, so a user can
fix or replace the file. Templates are declared here once and tested by name.
"""

from __future__ import annotations

from typing import NoReturn

from app.errors import UserError


class ModelFileError(UserError):
    """A model file (config.json, safetensors, GGUF) that cannot be read; says which and why."""


# Shared by the binary formats.
TRUNCATED = "is truncated: {what} needs {need} bytes at offset {at} but the file has {size}"
TOO_SMALL = "is too small to be a {fmt} file ({size} bytes)"
UNREADABLE = "cannot be read ({reason})"
NOT_JSON = "is not valid UTF-8 JSON ({detail})"
HEADER_TOO_LARGE = "header is larger than the {limit} MiB limit"

# safetensors (format: huggingface/safetensors README and safetensors/src/tensor.rs).
ST_HEADER_TOO_LARGE = "header length {length} is larger than the {limit} MB limit"
ST_HEADER_BEYOND_FILE = "header length {length} runs past the end of the file ({size} bytes)"
ST_HEADER_NOT_JSON = "header is not valid UTF-8 JSON ({detail})"
ST_HEADER_NOT_OBJECT = "header must be a JSON object of tensor name -> {{dtype, shape, data_offsets}}"
ST_BAD_TENSOR = "tensor '{name}': {rule}"
ST_DATA_MISMATCH = (
    "tensor data does not match the header: {rule} (the file is truncated or corrupt)"
)
ST_NO_TENSORS = "holds no tensors"

# GGUF (format: ggml docs/gguf.md).
GGUF_BAD_MAGIC = "is not a GGUF file (the first 4 bytes are {magic!r}, not b'GGUF')"
GGUF_BAD_VERSION = "GGUF version {version} is not supported (versions 2 and 3 are)"
GGUF_BIG_ENDIAN = "is a big-endian GGUF file; only little-endian files are supported"
GGUF_ABSURD_COUNT = "{what} {count} is not plausible for a file of {size} bytes"
GGUF_BAD_KEY = "metadata key #{index} is not a lower-case dotted ASCII key"
GGUF_DUPLICATE = "{what} '{name}' appears twice"
GGUF_BAD_VALUE_TYPE = "metadata '{key}' has unknown value type {vtype}"
GGUF_BAD_BOOL = "metadata '{key}' holds a boolean that is neither 0 nor 1"
GGUF_BAD_TEXT = "{what} is not valid UTF-8"
GGUF_TOO_DEEP = "metadata '{key}' nests arrays deeper than {limit} levels"
GGUF_BAD_ALIGNMENT = "general.alignment {value} must be a power of two up to {limit}"
GGUF_BAD_TENSOR = "tensor '{name}': {rule}"
GGUF_UNKNOWN_TYPE = "tensor '{name}' has unknown ggml type {type_id}"
GGUF_SPLIT = "split model: {rule}"
GGUF_WRONG_TYPE = "metadata '{key}' must be {expected}"

# Architecture (config.json and GGUF metadata).
MISSING_KEY = "{key} is missing; add it or use a supported architecture ({supported})"
BAD_KEY_VALUE = "{key} must be {rule} (found {value!r})"
UNSUPPORTED_ARCH = "architecture '{arch}' is not supported; supported: {supported}"
NO_WEIGHTS = "holds no *.safetensors files; Enclave reads the exact parameter count from them"
NOT_A_MODEL = "is neither a GGUF file nor a folder with config.json and *.safetensors"
INDEX_MISMATCH = "{rule}"


def fail(file: str, template: str, **values: object) -> NoReturn:
    """Raise `ModelFileError` with `file: <rule>`, the rule filled from `values`."""
    raise ModelFileError(f"{file}: {template.format(**values)}")
