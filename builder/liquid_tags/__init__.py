"""Liquid: our tags on python-liquid, rendered once per distinct version outcome."""
