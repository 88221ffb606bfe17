"""Custom Rasa NLU components (they run in Rasa's Python 3.10 venv).

`featurizer.py`, `classifier.py` and `human_request.py` are the Rasa
components; the tokenizer (`wordpiece.py`) and encoder (`minilm.py`) need numpy
alone, so the 3.11 test venv can check them against sentence-transformers.
"""
