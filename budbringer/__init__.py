"""Budbringer: self-hosted employee advocacy."""

__version__ = "0.1.0"
