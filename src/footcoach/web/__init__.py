"""The web interface (``footcoach serve``): FastAPI pages and JSON API on the service layer."""
