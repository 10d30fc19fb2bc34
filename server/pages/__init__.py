"""The HTTP side: the pages and the REST routes, one blueprint per concern."""
