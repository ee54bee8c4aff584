"""Readers and writers: every layer enters and leaves cityind_gis through here."""
