"""Proxy, record and drift report: keep the simulator honest against the real API.

``mockswarms proxy --upstream URL [--record DIR]`` forwards every request to the upstream unchanged,
compares each answer with the contract and with what the simulator itself answers (``drift``), and
optionally writes each exchange as a fixture file (``record``) that ``mockswarms serve --fixtures DIR``
replays. ``mockswarms drift-report`` prints the findings (``report``). Only ``mockswarms.cli`` imports
this package.
"""
