# exception attributes: args, custom fields, notes, __traceback__ line numbers, str/repr


class HTTPError(Exception):
    def __init__(self, code, msg):
        super().__init__(code, msg)
        self.code = code
        self.msg = msg


def fail(code):
    raise HTTPError(code, f"status {code}")


def tb_lines(exc):
    out = []
    tb = exc.__traceback__
    while tb is not None:
        out.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    return out


for code in (404, 500):
    try:
        fail(code)
    except HTTPError as e:
        print(e.code, e.msg, e.args, str(e), repr(e))
        print(tb_lines(e))

try:
    {}["missing"]
except KeyError as e:
    print(repr(e), str(e), e.args)

try:
    int("xyz")
except ValueError as e:
    e.add_note("note one")
    e.add_note("note two")
    print(e, e.__notes__)

try:
    [].pop()
except IndexError as e:
    print(type(e).__name__, e, isinstance(e, LookupError))

try:
    None.attr
except AttributeError as e:
    print(e, e.name, e.obj)

try:
    raise OSError(2, "No such file", "/nonexistent")
except OSError as e:
    print(e.errno, e.strerror, e.filename, type(e).__name__, str(e))

try:
    raise StopIteration(42)
except StopIteration as e:
    print("stop value", e.value)

e = ValueError("standalone")
print(e.__traceback__, e.__context__, e.__cause__, e.args)
print(issubclass(HTTPError, Exception), HTTPError.__mro__[1].__name__)
