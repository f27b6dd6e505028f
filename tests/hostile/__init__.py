"""Hostile input, isolation between apps and abuse of the mock (issues 4 and 8).

Fuzzing of every endpoint in both formats, a stateful model of the API, body and
XML bombs, cross-app probing, brute force against the limits of API.md §6 and the
control token. Everything goes through HTTP (the Flask test client, or a real
MockServer where the socket matters); time moves only on the mock clock.
"""
