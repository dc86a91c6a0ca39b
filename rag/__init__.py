"""Retrieval question answering over Chinese government plans, with exact citations."""
