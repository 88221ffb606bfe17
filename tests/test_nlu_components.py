"""PeerPath's Rasa NLU components (rasa_addons/), checked against the real libraries."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from peerpath.minilm import MiniLM, default_model_dir
from peerpath.wordpiece import UNK
from tests.helpers.nlu import nlu_examples

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

TRICKY = [
    "hi",
    "Whats the PAY for peer specialists in Vermont??",
    "Café résumé naïve — 日本 ok",
    "i wanna dye :( 😢",
    "ssi/ssdi & medicaid... $20/hr? (maybe) #help",
    "x" * 300,
    "supercalifragilisticexpialidocious\tand\nnew lines\u00a0nbsp",
]


def _training_texts() -> list[str]:
    return [text for _, text in nlu_examples(ROOT / "data" / "nlu")]


def _run_in_rasa(script: str, texts: list[str]):
    """Runs a script in Rasa's venv with the texts as arguments; its last line, as JSON."""
    run = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *texts],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    return MiniLM.load(default_model_dir())


def test_word_pieces_match_the_bert_tokenizer(minilm: MiniLM) -> None:
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(default_model_dir()))
    texts = [*_training_texts(), *TRICKY]
    assert len(texts) > 1000
    mismatches = [t for t in texts if minilm.tokenizer.tokenize(t) != reference.tokenize(t)]
    assert mismatches == []
    assert minilm.tokenizer.tokenize("a" * 101) == [UNK]


def test_sentence_vectors_match_sentence_transformers(minilm: MiniLM, embedder) -> None:
    texts = [*TRICKY, "word " * 400, *_training_texts()[::97]]
    expected = embedder.encode(texts)
    ours = np.stack([minilm.encode(t).sentence() for t in texts])
    cosines = (ours * expected).sum(axis=1)
    assert cosines.min() > 0.9999, texts[int(cosines.argmin())]


def test_long_text_is_cut_at_the_model_limit(minilm: MiniLM) -> None:
    encoded, spans = minilm.encode_words(["word"] * 400)
    assert len(encoded.pieces) == minilm.max_pieces == 256
    assert [len(s) for s in spans].count(1) == 254
    assert spans[-1] == []


@pytest.mark.slow
def test_rasa_component_uses_the_gateways_vector_or_its_own(embedder) -> None:
    """Runs the featurizer inside Rasa's own venv, after Rasa's WhitespaceTokenizer.

    With the gateway's vector in the metadata it adds exactly that vector; without
    one it computes the same vector itself. Only sentence features: no per-token ones.
    """
    script = """
import json, sys
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from peerpath import vectors
from peerpath.protocol import MessageMeta
from rasa_addons.featurizer import MiniLMFeaturizer

tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
featurizer = MiniLMFeaturizer.create(
    MiniLMFeaturizer.get_default_config(), None, None,
    ExecutionContext(GraphSchema({}), node_name="minilm"))
given = np.zeros(384, dtype=np.float32)
given[7] = 1.0
out = []
for text in sys.argv[1:]:
    for metadata in ({}, MessageMeta("web", vector=vectors.encode(given)).to_metadata()):
        message = Message(data={"text": text, "metadata": metadata})
        tokenizer.process([message])
        featurizer.process([message])
        sequence, sentence = message.get_dense_features("text")
        out.append({"sequence": sequence is not None, "sentence": sentence.features[0].tolist(),
                    "loaded": featurizer._encoder is not None})
print(json.dumps(out))
"""
    texts = ["how much do peer specialists earn in ohio", "talk to a human please"]
    results = _run_in_rasa(script, texts)
    expected = embedder.encode(texts)
    own, gateways = results[0::2], results[1::2]
    for result, vector in zip(own, expected, strict=True):
        assert result["sequence"] is False
        assert float(np.dot(result["sentence"], vector)) > 0.9999
    for result in gateways:
        assert result["sentence"][7] == pytest.approx(1.0) and sum(result["sentence"]) == 1.0


@pytest.mark.slow
def test_rasa_pipeline_marks_plain_requests_for_a_human() -> None:
    """HumanRequestClassifier overrides whatever intent came before it, and only for requests."""
    script = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa_addons.human_request import HumanRequestClassifier

out = []
for text in sys.argv[1:]:
    message = Message(data={"text": text})
    message.set("intent", {"name": "greet", "confidence": 0.6}, add_to_output=True)
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.6},
                                   {"name": "request_human", "confidence": 0.3}],
                add_to_output=True)
    HumanRequestClassifier().process([message])
    out.append([message.get("intent")["name"], [r["name"] for r in message.get("intent_ranking")]])
print(json.dumps(out))
"""
    texts = ["humna pls", "is this a real person?", "hello"]
    assert _run_in_rasa(script, texts) == [
        ["request_human", ["request_human", "greet"]],
        ["greet", ["greet", "request_human"]],
        ["greet", ["greet", "request_human"]],
    ]
