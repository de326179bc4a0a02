"""The node's side of the federation: its signing keys, the statements it publishes, the peers it
follows, the inbox and outbox of the protocol (``federation/``), and the worker that delivers
and pulls."""
