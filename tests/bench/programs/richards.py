"""Richards: Martin Richards' operating-system scheduler simulation (1981, BCPL), an object-heavy
benchmark of method calls and attribute access. A from-scratch rendition of the classic
algorithm: an idle task, a worker, two handlers and two devices exchange packets.

Usage: richards.py [ROUNDS]   (default 40 rounds, each a full 10000-tick simulation)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 40

ID_IDLE = 1
ID_WORKER = 2
ID_HANDLER_A = 3
ID_HANDLER_B = 4
ID_DEVICE_A = 5
ID_DEVICE_B = 6
NUM_IDS = 7

KIND_DEVICE = 0
KIND_WORK = 1

BUF_LEN = 4


class Packet:
    __slots__ = ("next", "dest", "kind", "index", "buf")

    def __init__(self, next_, dest, kind):
        self.next = next_
        self.dest = dest
        self.kind = kind
        self.index = 0
        self.buf = [0] * BUF_LEN

    def enqueue_on(self, queue):
        """Append self at the end of `queue`; return the new head."""
        self.next = None
        if queue is None:
            return self
        node = queue
        while node.next is not None:
            node = node.next
        node.next = self
        return queue


class Scheduler:
    def __init__(self):
        self.tasks = [None] * NUM_IDS
        self.head = None
        self.holds = 0
        self.queued = 0

    def add(self, task):
        task.link = self.head
        self.head = task
        self.tasks[task.ident] = task

    def lookup(self, ident):
        t = self.tasks[ident]
        if t is None:
            raise ValueError("no task %d" % ident)
        return t

    def run(self):
        t = self.head
        while t is not None:
            if t.blocked():
                t = t.link
            else:
                t = t.step()


class Task:
    def __init__(self, sched, ident, prio, queue, pending, waiting, holding):
        self.sched = sched
        self.ident = ident
        self.prio = prio
        self.queue = queue
        self.pending = pending
        self.waiting = waiting
        self.holding = holding
        self.link = None
        sched.add(self)

    def blocked(self):
        return self.holding or (not self.pending and self.waiting)

    def step(self):
        if self.pending and self.waiting and not self.holding:
            pkt = self.queue
            self.queue = pkt.next
            self.pending = self.queue is not None
            self.waiting = False
            self.holding = False
        else:
            pkt = None
        return self.work(pkt)

    def work(self, pkt):
        raise NotImplementedError

    def accept(self, pkt, current):
        """Deliver `pkt` to this task; return the task that should run next."""
        if self.queue is None:
            self.queue = pkt
            self.pending = True
            if self.prio > current.prio:
                return self
        else:
            pkt.enqueue_on(self.queue)
        return current

    def wait(self):
        self.waiting = True
        return self

    def hold(self):
        self.sched.holds += 1
        self.holding = True
        return self.link

    def release(self, ident):
        t = self.sched.lookup(ident)
        t.holding = False
        return t if t.prio > self.prio else self

    def send(self, pkt):
        t = self.sched.lookup(pkt.dest)
        self.sched.queued += 1
        pkt.next = None
        pkt.dest = self.ident
        return t.accept(pkt, self)


class IdleTask(Task):
    def __init__(self, sched, ident, count):
        Task.__init__(self, sched, ident, 0, None, False, False, False)
        self.seed = 1
        self.count = count

    def work(self, pkt):
        self.count -= 1
        if self.count == 0:
            return self.hold()
        if self.seed & 1 == 0:
            self.seed = self.seed // 2
            return self.release(ID_DEVICE_A)
        self.seed = (self.seed // 2) ^ 0xD008
        return self.release(ID_DEVICE_B)


class WorkerTask(Task):
    def __init__(self, sched, ident, prio, queue):
        Task.__init__(self, sched, ident, prio, queue, True, True, False)
        self.target = ID_HANDLER_A
        self.letter = 0

    def work(self, pkt):
        if pkt is None:
            return self.wait()
        self.target = ID_HANDLER_B if self.target == ID_HANDLER_A else ID_HANDLER_A
        pkt.dest = self.target
        pkt.index = 0
        buf = pkt.buf
        for i in range(BUF_LEN):
            self.letter += 1
            if self.letter > 26:
                self.letter = 1
            buf[i] = 64 + self.letter
        return self.send(pkt)


class HandlerTask(Task):
    def __init__(self, sched, ident, prio, queue):
        Task.__init__(self, sched, ident, prio, queue, True, True, False)
        self.jobs = None
        self.devices = None

    def work(self, pkt):
        if pkt is not None:
            if pkt.kind == KIND_WORK:
                self.jobs = pkt.enqueue_on(self.jobs)
            else:
                self.devices = pkt.enqueue_on(self.devices)
        job = self.jobs
        if job is None:
            return self.wait()
        i = job.index
        if i >= BUF_LEN:
            self.jobs = job.next
            return self.send(job)
        dev = self.devices
        if dev is None:
            return self.wait()
        self.devices = dev.next
        dev.index = job.buf[i]
        job.index = i + 1
        return self.send(dev)


class DeviceTask(Task):
    def __init__(self, sched, ident, prio):
        Task.__init__(self, sched, ident, prio, None, False, True, False)
        self.held = None

    def work(self, pkt):
        if pkt is None:
            pkt = self.held
            if pkt is None:
                return self.wait()
            self.held = None
            return self.send(pkt)
        self.held = pkt
        return self.hold()


def packet_chain(n, dest, kind):
    q = None
    for _ in range(n):
        q = Packet(q, dest, kind)
    return q


def simulate_once():
    s = Scheduler()
    IdleTask(s, ID_IDLE, 10000)
    WorkerTask(s, ID_WORKER, 1000, packet_chain(2, 0, KIND_WORK))
    HandlerTask(s, ID_HANDLER_A, 2000, packet_chain(3, ID_DEVICE_A, KIND_DEVICE))
    HandlerTask(s, ID_HANDLER_B, 3000, packet_chain(3, ID_DEVICE_B, KIND_DEVICE))
    DeviceTask(s, ID_DEVICE_A, 4000)
    DeviceTask(s, ID_DEVICE_B, 5000)
    s.run()
    return s.holds, s.queued


def richards(rounds):
    ok = 0
    last = None
    for _ in range(rounds):
        last = simulate_once()
        if last == (9297, 23246):
            ok += 1
    return ok, last


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    ok, (holds, queued) = richards(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum richards rounds={size} ok={ok} holds={holds} queued={queued}")


if __name__ == "__main__":
    main(sys.argv)
