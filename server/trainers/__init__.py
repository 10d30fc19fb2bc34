"""Who trains what: the runner (owners, limits, placement), the trainers (a thread here or a
worker process per core) and the ops a client may run on its sessions."""
