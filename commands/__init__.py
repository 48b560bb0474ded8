"""The commands: the `shenbao` program and its sub-commands, the composition root.

This is the one package that wires the parts together (application layer, store, and the
web, console and PDF renderers); nothing imports it. See tools/layers.py for who may
import whom.
"""
