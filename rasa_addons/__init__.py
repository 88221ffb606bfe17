"""What runs inside Rasa's server process (Python 3.10, Rasa's own venv).

The NLU components (named in config.yml):
featurizer.py      all-MiniLM-L6-v2 sentence vectors for the intent classifier
classifier.py      intents from a weighted logistic regression over three views
human_request.py   plain requests for a human are `request_human`
The encoder behind them, in numpy alone (Rasa's venv can't hold torch):
minilm.py, wordpiece.py
And Rasa's start-up with PeerPath's safeguards (`python -m rasa_addons run`):
__main__.py, safeguards.py   no message text in logs, the API token off the
                             command line, action responses validated against
                             a schema compiled once
"""
