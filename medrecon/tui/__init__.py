"""The terminal UI (Textual). Importing this package does not import textual.

``medrecon.tui.app.MedreconApp`` is the application; the ``*_model`` and ``session``
modules are textual-free so the handover summary and tests can use them directly.
"""
