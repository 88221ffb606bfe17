"""The supervisor: starts PeerPath's processes, restarts what crashes, stops them together.

process.py          children, their output, health checks, restarts with back-off, shutdown
specs.py            the three processes of `make run` (Rasa, the action server, the gateway)
cluster.py          `make run-cluster`: PostgreSQL, Redis, replicas, haproxy
postgres_server.py  a real PostgreSQL (Debian's) under one directory, for the cluster and tests
redis_server.py     a real redis-server under one directory, for the cluster and tests
"""
