"""The witness: each group's node checks the hub's transparency log and cosigns it (protocol §14.8)."""
