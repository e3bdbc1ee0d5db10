"""Use cases: each write is one transaction (one undo unit); each read builds a Report."""
