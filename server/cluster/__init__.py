"""Past one machine: web nodes and trainer nodes that share a Redis (docs/scaling.md)."""
