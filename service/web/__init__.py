"""The web and operations wing: the app factory, views, errors, formats, security, rate
limits, observability, logs, the editors' page, settings and the gunicorn worker."""
