"""Presentation without Textual: the words, numbers, dates and colours every output shows."""
