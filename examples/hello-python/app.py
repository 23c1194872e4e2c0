"""hello-python: a Kindling data app that needs nothing but Python 3.

Parameters arrive as `config:key=value` arguments (the Python Kindling protocol):
  greeting       text to print (default "Hello")
  name           who to greet (default "Kindling")
  count          how many numbers to summarise (default 1000)
  sleep_seconds  wait this long before finishing (default 0), to try `kindling cancel`
"""
import statistics
import sys
import time

from helpers.params import parse_config_args


def main() -> int:
    params = parse_config_args(sys.argv[1:])
    # Kindling adds artifacts_storage_path, app_name and kindling.* for the bootstrap
    reserved = {"artifacts_storage_path", "app_name"}
    visible = {k: v for k, v in params.items() if k not in reserved and not k.startswith("kindling.")}
    print(f"parameters: {visible}")

    greeting = params.get("greeting", "Hello")
    name = params.get("name", "Kindling")
    print(f"{greeting}, {name}!")

    count = int(params.get("count", "1000"))
    numbers = [(i * 7919) % 1009 for i in range(1, count + 1)]
    primes = [n for n in range(2, 200) if all(n % d for d in range(2, int(n**0.5) + 1))]
    print(
        f"summary of {count} numbers: mean={statistics.mean(numbers):.2f} "
        f"median={statistics.median(numbers)} stdev={statistics.pstdev(numbers):.2f}"
    )
    print(f"{len(primes)} primes below 200, the last is {primes[-1]}")

    sleep_seconds = float(params.get("sleep_seconds", "0"))
    if sleep_seconds > 0:
        print(f"sleeping {sleep_seconds:g}s", flush=True)
        time.sleep(sleep_seconds)

    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
