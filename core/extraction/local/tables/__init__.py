"""Line items read from tables (``extract``): header detection, row reading, receipt lines, column labels."""

from core.extraction.local.tables.extract import ItemsResult, extract_items

__all__ = ["ItemsResult", "extract_items"]
