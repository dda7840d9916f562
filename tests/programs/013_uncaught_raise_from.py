# explicit chaining with `raise ... from ...` escaping to top level
# expect-exit: 1


class ConfigError(Exception):
    pass


def read_setting(settings, name):
    try:
        return settings[name]
    except KeyError as exc:
        raise ConfigError(f"missing setting {name}") from exc


def load(settings):
    port = read_setting(settings, "port")
    print("port", port)
    host = read_setting(settings, "host")
    print("host", host)


try:
    read_setting({}, "x")
except ConfigError as e:
    print("caught:", e, "| cause:", repr(e.__cause__), "| suppress:", e.__suppress_context__)

try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise ValueError("no context") from None
except ValueError as e:
    print("from None:", e.__cause__, e.__suppress_context__, type(e.__context__).__name__)

load({"port": 8080})
