"""One account across the movement: the hub as an OpenID Connect provider, nodes as its clients.

Provider side (hub group): ``provider.py`` (Authlib server; its grants in ``grants.py``, client
authentication in ``client_auth.py``, shared pieces in ``issuing.py``), ``records.py`` (national
membership records and their CSV import), ``views.py``. Client side (node groups): ``client.py``
and ``client_views.py``. See docs/oidc.md.
"""
