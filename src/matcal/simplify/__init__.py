"""Simplification of matrix expressions to textbook form: named rewrite rules to a fixpoint,
and sums over an index written as matrix products.
"""
