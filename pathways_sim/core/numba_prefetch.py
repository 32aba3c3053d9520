"""A software prefetch for numba kernels that read arrays at random places (a partner's traits): ``prefetch(array,
i)`` asks the CPU to start bringing ``array[i]`` into cache and returns at once, so a loop can ask for what it will
read some iterations on while it works on the current one.  It changes no value; it only lets more cache misses be
in flight at once than the loop's own branches and arithmetic would (``numba_ties._accept_candidates``: about
twice as fast at a million people).  LLVM's ``llvm.prefetch`` intrinsic, emitted through numba's ``intrinsic``, and
the implementation of ``kernels.prefetch`` for the kernels that do not import numba.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from pathways_sim.core import kernels

_I8_POINTER = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)
_READ, _KEEP_IN_ALL_CACHES, _DATA = _I32(0), _I32(3), _I32(1)


@intrinsic
def _llvm_prefetch(typingctx: Any, array: Any, index: Any) -> Any:
    """``array[index]`` (a 1-d array, an integer index in range) brought towards the cache; nothing returned."""
    signature = types.void(array, index)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        address = builder.bitcast(builder.gep(data, [args[1]]), _I8_POINTER)
        llvm_prefetch = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [_I8_POINTER, _I32, _I32, _I32]), "llvm.prefetch.p0i8")
        builder.call(llvm_prefetch, [address, _READ, _KEEP_IN_ALL_CACHES, _DATA])
        return context.get_dummy_value()

    return signature, codegen


# As the kernels call it (numba's intrinsic object takes the typing context first, which a kernel never passes).
prefetch = cast(Callable[[Any, Any], None], _llvm_prefetch)


@overload(kernels.prefetch)
def _kernels_prefetch(array: Any, index: Any) -> Any:
    """``kernels.prefetch`` in a compiled kernel, for kernels written beside their numpy code (``kernels.kernel``),
    whose modules do not import numba."""
    def implementation(array: Any, index: Any) -> None:
        prefetch(array, index)

    return implementation
