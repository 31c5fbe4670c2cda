"""tui-reader: an offline terminal reader for research-paper listings."""
