"""Enclave: offline planning of self-hosted LLM deployments."""

__version__ = "0.1.0"
