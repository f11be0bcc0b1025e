"""Read exact model architectures from local files, without loading any weights.

- `safetensors`: the JSON headers of `*.safetensors` files (one file or a sharded folder);
- `hf_config`: a Hugging Face `config.json` (dense, GQA, MoE, MLA, sliding-window families);
- `gguf`: the header and tensor table of a GGUF file (llama.cpp), with exact quantized sizes;
- `model_entry`: turns either into a catalog `models` entry with its provenance.

Every reader is strict and bounded: a file that breaks its format's rules raises
`ModelFileError` (a `UserError`) naming the file and the rule, and nothing else escapes.
"""
