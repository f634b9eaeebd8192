"""Who holds a claim on a digest or a delivery."""

import os
import socket
import uuid


def worker_name() -> str:
    """Host, process and a random part (process ids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
