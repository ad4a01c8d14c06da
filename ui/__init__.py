"""The Qt (PySide6) application: thin item models and widgets over `sorviewer` queries."""
