"""Numbers: evaluation with NumPy, checks against central finite differences, and the
value-checked mode that checks each rewrite as it fires.
"""
