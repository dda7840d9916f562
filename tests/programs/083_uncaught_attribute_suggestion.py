# uncaught AttributeError with a "Did you mean" suggestion, raised in a method
# expect-exit: 1


class Config:
    def __init__(self):
        self.timeout = 30
        self.retries = 3

    def describe(self):
        print("timeout", self.timeout)
        return f"{self.timeout}s x {self.retrys}"


print(Config().retries)
Config().describe()
