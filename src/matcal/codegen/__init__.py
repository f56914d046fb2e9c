"""Code generation: a derivative as a fast NumPy, JAX or PyTorch function
(:func:`generate`); the planning, printing and module text are its submodules."""

from matcal.codegen.generate import TARGETS, GeneratedCode, generate
from matcal.codegen.printer import CodegenError

__all__ = ["generate", "GeneratedCode", "CodegenError", "TARGETS"]
