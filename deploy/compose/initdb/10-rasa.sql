-- The second database: Rasa's conversations (the first, peerpath, is POSTGRES_DB).
CREATE DATABASE rasa OWNER peerpath;
