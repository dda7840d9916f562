"""Evaluator: a tiny language run two ways: an expression-tree interpreter that dispatches on
node classes (each node class has its own `eval` method; environments are dicts) and a stack
machine that runs the same programs compiled to a flat list of (opcode, argument) pairs in an
if/elif dispatch loop. Both must agree. No generators.

Usage: evaluator.py [ROUNDS]   (default 400 rounds)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 400


# ------------------------------------------------------------------ the tree

class Node:
    def eval(self, env):
        raise NotImplementedError

    def compile(self, code):
        raise NotImplementedError


class Num(Node):
    def __init__(self, value):
        self.value = value

    def eval(self, env):
        return self.value

    def compile(self, code):
        code.append((PUSH, self.value))


class Var(Node):
    def __init__(self, name):
        self.name = name

    def eval(self, env):
        return env[self.name]

    def compile(self, code):
        code.append((LOAD, self.name))


class BinOp(Node):
    def __init__(self, left, right):
        self.left = left
        self.right = right

    def compile(self, code):
        self.left.compile(code)
        self.right.compile(code)
        code.append((self.opcode, None))


class Add(BinOp):
    opcode = 2

    def eval(self, env):
        return self.left.eval(env) + self.right.eval(env)


class Sub(BinOp):
    opcode = 3

    def eval(self, env):
        return self.left.eval(env) - self.right.eval(env)


class Mul(BinOp):
    opcode = 4

    def eval(self, env):
        return self.left.eval(env) * self.right.eval(env)


class Mod(BinOp):
    opcode = 5

    def eval(self, env):
        return self.left.eval(env) % self.right.eval(env)


class Less(BinOp):
    opcode = 6

    def eval(self, env):
        return 1 if self.left.eval(env) < self.right.eval(env) else 0


class If(Node):
    def __init__(self, cond, then, other):
        self.cond = cond
        self.then = then
        self.other = other

    def eval(self, env):
        if self.cond.eval(env):
            return self.then.eval(env)
        return self.other.eval(env)

    def compile(self, code):
        self.cond.compile(code)
        jump_false = len(code)
        code.append((JUMP_IF_FALSE, None))
        self.then.compile(code)
        jump_end = len(code)
        code.append((JUMP, None))
        code[jump_false] = (JUMP_IF_FALSE, len(code))
        self.other.compile(code)
        code[jump_end] = (JUMP, len(code))


class Let(Node):
    def __init__(self, name, value, body):
        self.name = name
        self.value = value
        self.body = body

    def eval(self, env):
        inner = dict(env)
        inner[self.name] = self.value.eval(env)
        return self.body.eval(inner)

    def compile(self, code):
        # The stack machine has one flat environment: save the old binding around the body.
        code.append((SAVE, self.name))
        self.value.compile(code)
        code.append((STORE, self.name))
        self.body.compile(code)
        code.append((RESTORE, self.name))


class Loop(Node):
    """`acc = init; for i in range(count): acc = step` with `i` and `acc` bound in step."""

    def __init__(self, count, init, step):
        self.count = count
        self.init = init
        self.step = step

    def eval(self, env):
        n = self.count.eval(env)
        inner = dict(env)
        inner["acc"] = self.init.eval(env)
        i = 0
        while i < n:
            inner["i"] = i
            inner["acc"] = self.step.eval(inner)
            i += 1
        return inner["acc"]

    def compile(self, code):
        code.append((SAVE, "i"))
        code.append((SAVE, "acc"))
        self.count.compile(code)
        code.append((STORE, "$n"))
        self.init.compile(code)
        code.append((STORE, "acc"))
        code.append((PUSH, 0))
        code.append((STORE, "i"))
        top = len(code)
        code.append((LOAD, "i"))
        code.append((LOAD, "$n"))
        code.append((6, None))              # Less
        exit_jump = len(code)
        code.append((JUMP_IF_FALSE, None))
        self.step.compile(code)
        code.append((STORE, "acc"))
        code.append((LOAD, "i"))
        code.append((PUSH, 1))
        code.append((2, None))              # Add
        code.append((STORE, "i"))
        code.append((JUMP, top))
        code[exit_jump] = (JUMP_IF_FALSE, len(code))
        code.append((LOAD, "acc"))
        code.append((RESTORE_KEEP, "acc"))
        code.append((RESTORE_KEEP, "i"))


# ------------------------------------------------------------------ the stack machine

PUSH, LOAD = 0, 1
JUMP_IF_FALSE, JUMP, STORE, SAVE, RESTORE, RESTORE_KEEP = 10, 11, 12, 13, 14, 15
MISSING = object()


def run_machine(code, env):
    stack = []
    saved = []
    env = dict(env)
    pc = 0
    n = len(code)
    while pc < n:
        op, arg = code[pc]
        pc += 1
        if op == PUSH:
            stack.append(arg)
        elif op == LOAD:
            stack.append(env[arg])
        elif op == 2:
            b = stack.pop()
            stack.append(stack.pop() + b)
        elif op == 3:
            b = stack.pop()
            stack.append(stack.pop() - b)
        elif op == 4:
            b = stack.pop()
            stack.append(stack.pop() * b)
        elif op == 5:
            b = stack.pop()
            stack.append(stack.pop() % b)
        elif op == 6:
            b = stack.pop()
            stack.append(1 if stack.pop() < b else 0)
        elif op == JUMP_IF_FALSE:
            if not stack.pop():
                pc = arg
        elif op == JUMP:
            pc = arg
        elif op == STORE:
            env[arg] = stack.pop()
        elif op == SAVE:
            saved.append(env.get(arg, MISSING))
        elif op == RESTORE or op == RESTORE_KEEP:
            old = saved.pop()
            if old is MISSING:
                del env[arg]
            else:
                env[arg] = old
        else:
            raise ValueError(f"bad opcode {op}")
    return stack.pop()


# ------------------------------------------------------------------ programs

def program(k):
    """A family of programs: polynomial arithmetic with a loop and branches."""
    x, y = Var("x"), Var("y")
    poly = Add(Mul(x, Mul(x, Num(3))), Sub(Mul(y, Num(k)), Num(7)))
    step = Mod(Add(Mul(Var("acc"), Num(31)), If(Less(Var("i"), x), Var("i"), poly)), Num(1000003))
    body = Let("z", Add(poly, Num(k)),
               Add(Loop(Add(Mod(Var("z"), Num(13)), Num(5)), Var("z"), step),
                   If(Less(x, y), Mul(x, y), Sub(x, y))))
    return body


def run(rounds):
    progs = [program(k) for k in range(1, 9)]
    codes = []
    for p in progs:
        code = []
        p.compile(code)
        codes.append(code)
    total_tree = total_machine = 0
    for r in range(rounds):
        for j in range(len(progs)):
            p = progs[j]
            code = codes[j]
            for x in range(12):
                env = {"x": x + r, "y": 11 - x}
                a = p.eval(env)
                b = run_machine(code, env)
                if a != b:
                    raise AssertionError(f"tree {a} != machine {b}")
                total_tree = (total_tree * 7 + a) % 1000000007
                total_machine += b % 1000
    return total_tree, total_machine, sum([len(c) for c in codes])


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    tree, machine, ncode = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum evaluator rounds={size} tree={tree} machine={machine} code={ncode}")


if __name__ == "__main__":
    main(sys.argv)
