# uncaught AttributeError/TypeError raised inside a property and a dunder method
# expect-exit: 1


class Matrix:
    def __init__(self, rows):
        self.rows = rows

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])

    def __matmul__(self, other):
        n, m = self.shape
        m2, p = other.shape
        if m != m2:
            raise TypeError(f"shape mismatch: {self.shape} @ {other.shape}")
        return Matrix([[sum(self.rows[i][k] * other.rows[k][j] for k in range(m)) for j in range(p)]
                       for i in range(n)])

    def __repr__(self):
        return f"Matrix({self.rows})"


a = Matrix([[1, 2], [3, 4]])
b = Matrix([[5], [6]])
print(a @ b)
print(a.shape, b.shape)
c = a @ b @ a
print("unreachable", c)
