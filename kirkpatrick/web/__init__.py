"""The web application (Flask)."""
