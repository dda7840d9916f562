# repr/str/format of floats, round() with banker's rounding, format specs

values = [0.1, 1 / 3, 2 / 3, 1e16, 1e-7, 123456789.125, -0.0, 1.5e300, 2.5, 3.5, 100.0, 0.5]
for v in values:
    print(repr(v), str(v), f"{v:.3f}", f"{v:e}", f"{v:g}", f"{v:10.2f}|", f"{v:<12.4g}|", format(v, "+.2%"))
for v in (0.5, 1.5, 2.5, -0.5, -1.5, 2.675, 1.005, 123.456):
    print(v, round(v), round(v, 1), round(v, 2), round(v, -1))
print(round(1234567, -3), round(-15, -1), round(25, -1), type(round(2.5)).__name__, type(round(2.5, 0)).__name__)
print(f"{3.14159:08.3f}", f"{-3.14159:+09.2f}", f"{1234567.891:,.2f}", f"{1234567.891:_.1f}")
print(f"{0.000123456:.2e}", f"{12345.6789:.3g}", f"{1e-5:g}", f"{1e16:g}", f"{123.0:#g}")
print("%.3f %5.1f %-8.2e| %g %r %s" % (2.0 / 3, 9.99, 12345.678, 0.0001, 0.1, 1e22))
print(format(float("inf"), "f"), format(float("-inf"), ".2e"), format(float("nan"), "g"), f"{float('nan'):>6}")
print(str(1e15), str(1e16), repr(1e-4), repr(1e-5), repr(123456789012345678.0))
print(float("0.1") * 3, 0.1 * 3, 1.1 + 2.2, 3.3 - 1.1, 1e22 + 1, 2 ** 53 + 1.0)


def table(n):
    for i in range(1, n + 1):
        x = i / 7
        print(f"{i:3d} {x:8.5f} {x * x:10.6e} {x ** 0.5:.4g} {round(x, 3)!r}")


table(20)
