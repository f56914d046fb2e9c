"""The core: errors, symbolic shapes, expression nodes, smart constructors, the table of
element-wise functions and the rewrite-report hook. It imports nothing else of matcal.
"""
