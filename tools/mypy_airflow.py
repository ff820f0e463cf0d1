"""mypy plugin (``make lint``): a TaskFlow task called in a DAG file accepts an upstream ``XComArg``.

Airflow types ``@task`` functions as ``Task[FParams, FReturn]`` whose ``__call__`` keeps the function's own
parameter types, so ``outcome(extract.expand(...))`` reads as an ``XComArg`` passed where a list is
expected (apache/airflow#39514; Airflow's own fix lives in its dev tree, not in the package). This widens
each parameter of that call to ``T | XComArg``: a wrong concrete value is still an error.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import MethodSigContext, Plugin
from mypy.types import CallableType, FunctionLike, UnionType

TASK_CALL = "airflow.sdk.bases.decorator.Task.__call__"


def _accept_xcom_args(ctx: MethodSigContext) -> FunctionLike:
    signature = ctx.default_signature
    if not isinstance(signature, CallableType):
        return signature
    xcom_arg = signature.ret_type  # Task.__call__ returns the call's XComArg
    return signature.copy_modified(
        arg_types=[UnionType.make_union([arg, xcom_arg]) for arg in signature.arg_types]
    )


class AirflowTaskCalls(Plugin):
    def get_method_signature_hook(self, fullname: str) -> Callable[[MethodSigContext], FunctionLike] | None:
        return _accept_xcom_args if fullname == TASK_CALL else None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return AirflowTaskCalls
