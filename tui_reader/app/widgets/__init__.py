"""The reader's widgets: the list of papers, the detail pane, the sidebar of views."""
