"""What a model's weight files hold, summed over tensors: exact counts and bytes.

Both readers (safetensors, GGUF) reduce their tensor tables to a `WeightsSummary`. Counts are
parameters (elements of weight tensors; quantization scales and zero points are not parameters)
and bytes are the tensor data as stored, so `bits_per_weight = 8 x weights_bytes / params`
includes every scale the format stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WeightsSummary:
    """Exact totals of a model's tensors.

    `routed_expert_params` are the parameters of routed MoE experts (all experts, all layers);
    `has_output_head` says whether a separate output projection is stored (False: tied to the
    input embedding). `fingerprint` is the SHA-256 of the headers that were read.
    """

    params: int
    weights_bytes: int
    file_bytes: int
    tensor_count: int
    routed_expert_params: int
    has_output_head: bool
    fingerprint: str
    bytes_by_type: dict[str, int] = field(default_factory=dict)
    params_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def bits_per_weight(self) -> float:
        """Stored bits per parameter: 8 x weights_bytes / params (scales included)."""
        return 8.0 * self.weights_bytes / self.params if self.params else 0.0


class Tally:
    """Accumulates tensors into a `WeightsSummary`."""

    def __init__(self) -> None:
        self.params = 0
        self.weights_bytes = 0
        self.tensor_count = 0
        self.routed = 0
        self.head = False
        self.bytes_by_type: dict[str, int] = {}
        self.params_by_type: dict[str, int] = {}

    def add(self, type_name: str, params: int, nbytes: int, *, routed: bool = False,
            output_head: bool = False) -> None:
        self.tensor_count += 1
        self.params += params
        self.weights_bytes += nbytes
        self.bytes_by_type[type_name] = self.bytes_by_type.get(type_name, 0) + nbytes
        if params:
            self.params_by_type[type_name] = self.params_by_type.get(type_name, 0) + params
        if routed:
            self.routed += params
        self.head = self.head or output_head

    def summary(self, file_bytes: int, fingerprint: str) -> WeightsSummary:
        return WeightsSummary(
            params=self.params, weights_bytes=self.weights_bytes, file_bytes=file_bytes,
            tensor_count=self.tensor_count, routed_expert_params=self.routed,
            has_output_head=self.head, fingerprint=fingerprint,
            bytes_by_type=dict(sorted(self.bytes_by_type.items())),
            params_by_type=dict(sorted(self.params_by_type.items())),
        )
