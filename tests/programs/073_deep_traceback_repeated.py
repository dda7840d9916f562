# uncaught error deep in a recursion: traceback collapses repeated lines
# expect-exit: 1
def descend(n):
    if n == 0:
        return {"key": 1}["nokey"]
    return descend(n - 1) + 1


def start():
    print("starting descent")
    return descend(40)


start()
