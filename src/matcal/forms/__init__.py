"""Index notation → printable forms: matrix notation read back off the indices, index
notation as an expression, and the Kronecker (vec) form.
"""
