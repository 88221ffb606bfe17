"""Semantic + keyword search over PeerPath's knowledge documents.

documents.py reads files, chunking.py packs passages, embedder.py and
lexical.py score them, index.py holds both indexes (build/save/load/search),
service.py opens the right index for a process, answers.py picks sentences.
"""
