"""Calls of C methods of each kind from native code, with each calling convention: a C type's
static methods get NULL as self (their m_self is the type, but CPython's calls pass
PyCFunction_GET_SELF), class methods the class, instance methods the instance, module
functions the module (test_call's TestCallingConventions*)."""
import _testcapi


def calls(obj, rounds):
    seen = []
    for _ in range(rounds):
        seen = [
            obj.meth_noargs(),
            obj.meth_o(1),
            obj.meth_fastcall(1, 2),
            obj.meth_varargs(3),
            obj.meth_fastcall_keywords(4, k=5),
        ]
    return seen


def describe(v):
    # Instances print with their address: name their type instead.
    if isinstance(v, tuple):
        return tuple(describe(x) for x in v)
    if isinstance(v, dict):
        return {k: describe(x) for k, x in v.items()}
    if isinstance(v, (int, str, type(None), type)):
        return v
    return f"<{type(v).__name__} instance>"


for name in ("MethStatic", "MethClass", "MethInstance"):
    cls = getattr(_testcapi, name)
    for target in (cls(), cls):
        if name == "MethInstance" and target is cls:
            continue
        print(name, "on", "class" if target is cls else "instance")
        for v in calls(target, 50):
            print("   ", describe(v))
