# bytes, bytearray, memoryview, struct and int/bytes conversions
import struct


def checksum(data):
    s = 0
    for b in data:
        s = (s * 31 + b) & 0xFFFFFFFF
    return s


def xor_bytes(a, key):
    return bytes(x ^ key[i % len(key)] for i, x in enumerate(a))


b = b"hello world"
print(b, b[0], b[-1], b[:5], b[::-1], len(b), b.upper(), b.split(), b.replace(b"o", b"0"))
print(b.hex(), bytes.fromhex("deadbeef"), b.find(b"wor"), b"wor" in b, b.count(b"l"), list(b[:3]))
ba = bytearray(b"abc")
ba.append(100)
ba.extend(b"ef")
ba[0] = 65
ba += b"!"
del ba[1]
print(ba, len(ba), bytes(ba), ba.decode(), ba.pop(), ba)
mv = memoryview(bytearray(range(10)))
mv[2:4] = b"\xff\xfe"
print(list(mv), mv[1:5].tobytes(), mv.nbytes, mv.readonly)
packed = struct.pack("<iHd4s", -7, 65535, 2.5, b"abcd")
print(packed, len(packed), struct.unpack("<iHd4s", packed), struct.calcsize(">qbb"))
print(checksum(b"The quick brown fox" * 50), checksum(bytes(range(256))))
enc = xor_bytes(b"secret message", b"key")
print(enc, xor_bytes(enc, b"key"))
print(bytes(5), bytes([1, 2, 3]), b"a" * 3 + b"b", b"%d-%s" % (5, b"x"), b"abc" < b"abd")
print(int.from_bytes(b"\x00\x10", "big"), (1024).to_bytes(2, "little"), (-1).to_bytes(2, "big", signed=True))
try:
    b"abc"[0] = 1
except TypeError as e:
    print("TypeError:", e)
try:
    bytes([256])
except ValueError as e:
    print("ValueError:", e)
acc = bytearray()
for i in range(2000):
    acc.append(i % 251)
print(len(acc), checksum(acc), acc[:10], acc[-5:])
