"""Ingest: read a dump file (any supported format, detected by content) into Paper records.

Pure: bytes in, records and warnings out. Never raises on bad content; a file that cannot be
read at all gives a `ParsedDump` with `error` set.
"""
