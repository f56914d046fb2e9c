"""Differentiation: the index-notation rules of every node class (any order), and the
pipeline from an expression to its derivative in printed form.
"""
