"""Dialogs: About, catalog entry form, name prompt, and the message/error boxes."""
