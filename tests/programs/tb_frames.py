"""A helper the differential programs import (not a program itself: the suite runs only the
numbered files): where an exception went, as data to print."""


def frames(err, skip=1):
    """(function name, line) of each traceback entry of `err`, innermost last, without the
    first `skip` (the frame that caught it)."""
    tb = err.__traceback__
    out = []
    while tb is not None:
        out.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    return out[skip:]
