# sieve of Eratosthenes and prime-related computations


def sieve(n):
    is_prime = [True] * (n + 1)
    is_prime[0] = is_prime[1] = False
    i = 2
    while i * i <= n:
        if is_prime[i]:
            for j in range(i * i, n + 1, i):
                is_prime[j] = False
        i += 1
    return [i for i, p in enumerate(is_prime) if p]


def factorize(n):
    factors = []
    d = 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    return factors


def twin_primes(primes):
    return [(a, b) for a, b in zip(primes, primes[1:]) if b - a == 2]


def goldbach(n, prime_set):
    for p in sorted(prime_set):
        if n - p in prime_set:
            return p, n - p
    return None


primes = sieve(20000)
print(len(primes), primes[:20], primes[-5:])
print(twin_primes(primes)[:15], len(twin_primes(primes)))
ps = set(primes)
for n in range(4, 60, 2):
    print(n, goldbach(n, ps))
for n in (360, 1001, 65536, 999983, 600851475143, 2 ** 31 - 1, 123456789):
    print(n, factorize(n))
gaps = {}
for a, b in zip(primes, primes[1:]):
    gaps[b - a] = gaps.get(b - a, 0) + 1
print(sorted(gaps.items()))
