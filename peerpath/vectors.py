"""A message's all-MiniLM-L6-v2 vector, carried in its metadata (Python 3.10, numpy only).

The gateway embeds each message once and sends the vector on: Rasa's NLU
featurizer and the action server's search use it instead of embedding the
same words again. 384 float16 values, base64: about 1 KB per message.
"""

from __future__ import annotations

import base64

import numpy as np

DIMENSION = 384


def encode(vector: np.ndarray) -> str:
    """A unit vector as compact text."""
    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def decode(text: str) -> np.ndarray | None:
    """The unit float32 vector in `text`, or None if it isn't one."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    if len(raw) != DIMENSION * 2:
        return None
    vector = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    return vector / norm
