"""The Socket.IO side: every event a page sends, and the live rooms."""
