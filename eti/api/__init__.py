"""The REST API: ``create_app(settings)``; ``serve.run`` starts uvicorn."""
