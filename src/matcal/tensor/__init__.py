"""Index (Einstein) notation: indices, indexed factors, terms and tensors of terms, the
engine's representation of derivatives of any order.
"""
