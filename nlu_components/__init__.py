"""Custom Rasa NLU components (they run in Rasa's Python 3.10 venv).

Only `featurizer.py` imports Rasa; the tokenizer and encoder need numpy alone,
so the 3.11 test venv can check them against sentence-transformers.
"""
