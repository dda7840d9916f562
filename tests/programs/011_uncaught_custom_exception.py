# custom exception class hierarchy, uncaught with args and __str__
# expect-exit: 1


class AppError(Exception):
    pass


class ValidationError(AppError):
    def __init__(self, field, value):
        super().__init__(field, value)
        self.field = field
        self.value = value

    def __str__(self):
        return f"invalid value {self.value!r} for field {self.field!r}"


def validate(record):
    for field, value in record.items():
        if not isinstance(value, int):
            raise ValidationError(field, value)
        print("ok", field, value)


def process(records):
    for i, r in enumerate(records):
        print("record", i)
        try:
            validate(r)
        except KeyError:
            print("unreachable")


process([{"a": 1, "b": 2}, {"c": 3, "d": "four", "e": 5}])
