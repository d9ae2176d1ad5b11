"""Importers: bring another system's data into an Ardea backend (``ardea import ...``).

A layer beside :mod:`ardea.services`: importers read a source of their own and write through
the destination's :class:`~ardea.store.backend.Backend` (its store contracts, and its
:class:`~ardea.store.importing.ImportStore` where ids and times must be kept). They import
nothing above the store layer but :mod:`ardea.api` wire parsers, and the CLI drives them.
"""
