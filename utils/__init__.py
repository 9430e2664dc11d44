"""Shared helpers of the executable CNN textbook.

Modules: ``config`` (quick mode), ``device`` (device choice, seeding), ``data`` (offline
data sets as in-memory tensors), ``train`` (``fit``/``evaluate``), ``summary`` (layer
tables, parameters, FLOPs), ``plot`` (figures), ``diagrams`` (architecture pictures
drawn by code), ``results`` (recorded results).
Import the module you need, e.g. ``from utils.train import fit``.
"""

__version__ = "0.1.0"
