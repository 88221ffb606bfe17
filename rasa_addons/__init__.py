"""What runs inside Rasa's server process (Python 3.10, Rasa's own venv).

The NLU components (named in config.yml):
featurizer.py      all-MiniLM-L6-v2 sentence vectors for the intent classifier
classifier.py      intents from a weighted logistic regression over three views
intent_override.py the shape of the components below: they may put another intent first
human_request.py   plain requests for a human are `request_human`
correction.py      "no, i meant vermont": a correction of the last question is a question
flow_request.py    a direct question about a flow's topic is that topic's intent
safety_verdict.py  the gateway's crisis/sensitive grade applied to the intent
The replies in the conversation's language:
nlg.py             LanguageNLG, named in endpoints*.yml
The encoder behind them, in numpy alone (Rasa's venv can't hold torch):
minilm.py, wordpiece.py
And Rasa's start-up with PeerPath's safeguards (`python -m rasa_addons run`):
__main__.py, safeguards.py   no message text in logs, the API token off the
                             command line, action responses validated against
                             a schema compiled once
"""
