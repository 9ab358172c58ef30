"""Layouts: Jinja2 templates, our CSS and JS, sidebar HTML."""
