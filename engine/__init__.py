"""The training library: datasets, the spec, networks, training, frames and exports. No web code."""
