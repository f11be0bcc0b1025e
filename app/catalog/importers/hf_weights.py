"""Parameter counts from Hugging Face safetensors tensor tables.

A tensor's parameters are its elements, except where a quantized checkpoint packs several
weights into one stored element or stores scales beside the weights:

- scale and zero-point tensors (`*.scales`, `*_scales`, `*.qzeros`, `*.g_idx`,
  `*_scale_inv` of FP8 block quantization, `*.weight_scale`, `*.input_scale`, ...) hold no
  parameters (their bytes still count toward the stored size);
- GPTQ/AWQ `*.qweight` and compressed-tensors `*.weight_packed` (I32) hold `32 / bits` weights
  per element, `bits` from `quantization_config` (4 when it does not say);
- MXFP4 `*_blocks` (U8, gpt-oss) hold two 4-bit weights per byte.

Routed MoE experts are the tensors under `.experts.` (per-expert `experts.N.*` or fused
`experts.gate_up_proj`); shared experts (`shared_expert(s)`) and routers are always active.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from app.catalog.importers.safetensors import SafetensorsHeader, TensorInfo
from app.catalog.importers.weights import Tally, WeightsSummary

AUX_SUFFIXES = (
    ".scales", "_scales", ".qzeros", "_qzeros", ".g_idx", "_g_idx", "_scale_inv", ".weight_scale",
    ".weight_scale_2", ".input_scale", ".k_scale", ".v_scale", ".weight_zero_point",
    ".weight_shape",
)
PACKED_INT_SUFFIXES = (".qweight", ".weight_packed")
OUTPUT_HEAD_NAMES = ("lm_head.weight",)


def tensor_params(tensor: TensorInfo, packed_bits: int) -> int:
    """Weights a stored tensor represents (0 for scales and zero points)."""
    name = tensor.name
    if name.endswith(AUX_SUFFIXES):
        return 0
    if name.endswith(PACKED_INT_SUFFIXES) and tensor.dtype in ("I32", "U32"):
        return tensor.numel * (32 // packed_bits)
    if name.endswith("_blocks") and tensor.dtype == "U8":
        return tensor.numel * 2
    return tensor.numel


def is_routed_expert(name: str) -> bool:
    return ".experts." in name and "shared_expert" not in name


def is_output_head(name: str) -> bool:
    return name == "lm_head.weight" or name.endswith(".lm_head.weight")


def summarize(headers: Iterable[SafetensorsHeader], packed_bits: int = 4,
              extra_fingerprint: bytes = b"") -> WeightsSummary:
    """Exact parameters and bytes (by dtype) of every tensor in `headers`."""
    tally = Tally()
    digest = hashlib.sha256(extra_fingerprint)
    file_bytes = 0
    for header in headers:
        digest.update(bytes.fromhex(header.header_sha256))
        file_bytes += header.file_bytes
        for tensor in header.tensors:
            tally.add(tensor.dtype, tensor_params(tensor, packed_bits), tensor.nbytes,
                      routed=is_routed_expert(tensor.name),
                      output_head=is_output_head(tensor.name))
    return tally.summary(file_bytes, digest.hexdigest())
