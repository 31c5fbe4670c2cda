"""The reader's modal screens: help, note editor, confirmation, saved-search name."""
