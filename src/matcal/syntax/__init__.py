"""Text in the input language → typed expression: the grammar, calls, index notation as
input and the messages of syntax errors.
"""
