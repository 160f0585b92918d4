"""The HTTP server: platform webhooks, health check, and later the dashboard."""
