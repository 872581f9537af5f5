"""Runner for asyncpg (with uvloop when present): the reference pgjet's targets are set against.

Started by bench/run.ts with Debian's /usr/bin/python3; like the JavaScript runners (bench/runners/harness.ts)
it reads TrialSpecs as JSON lines on stdin (or one from argv[1]), and for each mode opens the connections, runs
a validation pass, a warm-up and the timed closed loop, and prints one line ``@@RESULT {json}``, then
``@@DONE`` after each spec.

The checksum rules below mirror bench/checksum.ts one for one; keep the two in step. asyncpg decodes every
value in C when it builds a Record, so touching the values in Python (only for every Nth result, as the
JavaScript runners do) adds no hidden work to skip.

asyncpg runs one query at a time per connection ("another operation is in progress"), so it has no pipelined
mode: that mode is reported as skipped.
"""

import asyncio
import datetime
import json
import math
import random
import sys
import time

import asyncpg

try:
    import uvloop
except ImportError:  # asyncpg still works on the default loop; the report names the loop used
    uvloop = None

M = 2147483647
NULL_VALUE = 7
EPOCH_AWARE = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_NAIVE = datetime.datetime(1970, 1, 1)
ONE_MS = datetime.timedelta(milliseconds=1)
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
LOOKUP_VALIDATION_KEYS = 100


def cell_int(v):
    return NULL_VALUE if v is None else int(v) % M


def cell_float(v):
    return NULL_VALUE if v is None else math.floor(float(v) * 1000 + 0.5) % M


def cell_numeric(v):
    if v is None:
        return NULL_VALUE
    r = 0
    negative = False
    for ch in str(v):
        if "0" <= ch <= "9":
            r = (r * 10 + ord(ch) - 48) % M
        elif ch == "-":
            negative = True
    return (-r) % M if negative else r


def cell_text(v):
    if v is None:
        return NULL_VALUE
    if isinstance(v, bytes):
        v = v.decode()
    s = str(v)
    return 1 if not s else len(s) + ord(s[0]) + ord(s[-1])


def cell_bool(v):
    return NULL_VALUE if v is None else (2 if v else 1)


def cell_timestamp(v):
    if v is None:
        return NULL_VALUE
    epoch = EPOCH_NAIVE if v.tzinfo is None else EPOCH_AWARE
    return ((v - epoch) // ONE_MS) % M


def cell_date(v):
    return NULL_VALUE if v is None else (v.toordinal() - EPOCH_ORDINAL) % M


def cell_uuid(v):
    if v is None:
        return NULL_VALUE
    s = str(v)
    return (int(s[:8], 16) + int(s[-8:], 16)) % M


def fold_json(v):
    if v is None:
        return NULL_VALUE
    if isinstance(v, bool):
        return 2 if v else 1
    if isinstance(v, (int, float)):
        return cell_float(v)
    if isinstance(v, str):
        return cell_text(v)
    r = 11
    if isinstance(v, list):
        for i, item in enumerate(v):
            r = (r + (i + 1) * fold_json(item)) % M
    else:
        for key, value in v.items():
            r = (r + cell_text(key) + 3 * fold_json(value)) % M
    return r


def cell_json(v):
    return fold_json(json.loads(v) if isinstance(v, str) else v)


def cell_bytes(v):
    if v is None:
        return NULL_VALUE
    n = len(v)
    return 1 if n == 0 else n + v[0] + 3 * v[n >> 1] + 5 * v[n - 1]


def cell_array(v):
    if v is None:
        return NULL_VALUE
    r = len(v) + 13
    for i, e in enumerate(v):
        if isinstance(e, int) and not isinstance(e, bool):
            c = e % M
        elif isinstance(e, str):
            c = cell_text(e)
        elif isinstance(e, list):
            c = cell_array(e)
        elif e is None:
            c = NULL_VALUE
        else:
            c = cell_int(e)
        r = (r + (i + 1) * c) % M
    return r


CELL = {
    "int": cell_int,
    "int8": cell_int,
    "float": cell_float,
    "numeric": cell_numeric,
    "text": cell_text,
    "bool": cell_bool,
    "timestamp": cell_timestamp,
    "date": cell_date,
    "uuid": cell_uuid,
    "json": cell_json,
    "bytes": cell_bytes,
    "array": cell_array,
}


def make_checksum(columns):
    plan = [(j + 1, name, CELL[kind]) for j, (name, kind) in enumerate(columns)]

    def checksum(rows):
        total = 0
        for r in rows:
            s = 0
            for weight, name, fn in plan:
                s += weight * fn(r[name])
            total = (total + s) % M
        return total

    return checksum


def batch_rows(n):
    """The rows M5/M6 write; the same values as batchRows() in bench/workloads.ts."""
    return [(i, i * 2, i % 7, f"row-{i}", i * 0.5 + 0.25, 100_000 - i, f"payload {i} ü") for i in range(n)]


def percentile(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


class Failed(Exception):
    pass


async def closed_loop(conns, op, seconds, latencies):
    calls = 0
    rows = 0
    failed = False
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds

    async def worker(conn):
        nonlocal calls, rows, failed
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= deadline or failed:
                    return
                # Not `rows += await op()`: that reads `rows` before the await and loses other workers' updates.
                n = await op(conn)
                rows += n
                calls += 1
                if latencies is not None:
                    latencies.append(time.perf_counter() - t0)
        except BaseException:
            failed = True
            raise

    results = await asyncio.gather(*(worker(c) for c in conns), return_exceptions=True)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return calls, rows, elapsed, cpu


async def run_read(spec, conns):
    wl = spec["workload"]
    checksum = make_checksum(wl["columns"])
    expected = wl["rowsPerOp"]
    sql = wl["sql"]
    every = spec["checkEvery"]
    reference = -1

    if wl["kind"] == "query":
        args = wl["args"]
        for conn in conns:
            rows = await conn.fetch(sql, *args)
            if len(rows) != expected:
                raise Failed(f"validation: expected {expected} rows, got {len(rows)}")
            s = checksum(rows)
            if reference >= 0 and s != reference:
                raise Failed(f"validation: connections disagree ({reference} vs {s})")
            reference = s
        n = 0

        async def op(conn):
            nonlocal n
            rows = await conn.fetch(sql, *args)
            if len(rows) != expected:
                raise Failed(f"expected {expected} rows, got {len(rows)}")
            n += 1
            if n % every == 0 and checksum(rows) != reference:
                raise Failed("checksum changed during the run")
            return expected

    else:
        total = 0
        for key in range(1, LOOKUP_VALIDATION_KEYS + 1):
            rows = await conns[key % len(conns)].fetch(sql, key)
            if len(rows) != 1 or rows[0]["id"] != key:
                raise Failed(f"validation: lookup of key {key} returned {len(rows)} rows")
            total = (total + key * checksum(rows)) % M
        reference = total
        key_count = wl.get("keyCount") or 1
        n = 0
        sink = 0

        async def op(conn):
            nonlocal n, sink
            key = random.randint(1, key_count)
            rows = await conn.fetch(sql, key)
            if len(rows) != 1 or rows[0]["id"] != key:
                raise Failed(f"lookup of key {key} returned a wrong row")
            n += 1
            if n % every == 0:
                sink = (sink + checksum(rows)) % M
            return 1

    await closed_loop(conns, op, spec["warmupSeconds"], None)
    latencies = []
    outcome = await closed_loop(conns, op, spec["seconds"], latencies)
    return outcome, latencies, str(reference)


async def run_write(spec, conn):
    wl = spec["workload"]
    n = wl["rowsPerOp"]
    records = batch_rows(n)
    cols = [name for name, _ in wl["columns"]]
    table = wl["table"]
    sql = wl["sql"]
    if wl["kind"] == "copy":

        async def op(c):
            await c.copy_records_to_table(table, records=records, columns=cols)
            return n

    else:

        async def op(c):
            await c.executemany(sql, records)
            return n

    await conn.execute("SET synchronous_commit = off")
    await conn.execute(f"TRUNCATE {table}")
    await closed_loop([conn], op, spec["warmupSeconds"], None)
    await conn.execute(f"TRUNCATE {table}")
    latencies = []
    outcome = await closed_loop([conn], op, spec["seconds"], latencies)
    digest = await conn.fetchrow(
        f"SELECT count(*)::text AS n, coalesce(sum(hashtext(concat_ws('|', {', '.join(cols)}))::int8), 0)::text AS h FROM {table}"
    )
    await conn.execute(f"TRUNCATE {table}")
    calls = outcome[0]
    count, h = int(digest["n"]), int(digest["h"])
    if count != calls * n:
        raise Failed(f"validation: {calls} writes of {n} rows left {count} rows")
    if calls == 0 or h % calls != 0:
        raise Failed("validation: the written batches differ from each other")
    return outcome, latencies, str(h // calls)


def empty_result(spec, mode, **extra):
    result = {
        "contender": spec["contender"],
        "workload": spec["workload"]["id"],
        "mode": mode["name"],
        "queries": 0,
        "rows": 0,
        "elapsedSeconds": 0,
        "qps": 0,
        "rowsPerSec": 0,
        "p50Ms": None,
        "p99Ms": None,
        "cpuUsPerQuery": None,
        "checksum": "",
    }
    result.update(extra)
    return result


async def run_mode(spec, mode):
    wl = spec["workload"]
    if mode["inflight"] > 1:
        return empty_result(
            spec,
            mode,
            skipped="asyncpg runs one query at a time per connection (another operation is in progress): no pipelined mode",
        )
    conns = []
    try:
        for _ in range(mode["connections"]):
            conns.append(await asyncpg.connect(spec["dsn"]))
        if wl["kind"] in ("query", "lookup"):
            outcome, latencies, checksum = await run_read(spec, conns)
        else:
            outcome, latencies, checksum = await run_write(spec, conns[0])
        calls, rows, elapsed, cpu = outcome
        p50 = percentile(latencies, 0.5)
        p99 = percentile(latencies, 0.99)
        return {
            "contender": spec["contender"],
            "workload": wl["id"],
            "mode": mode["name"],
            "queries": calls,
            "rows": rows,
            "elapsedSeconds": elapsed,
            "qps": calls / elapsed,
            "rowsPerSec": rows / elapsed,
            "p50Ms": None if p50 is None else p50 * 1000,
            "p99Ms": None if p99 is None else p99 * 1000,
            "cpuUsPerQuery": cpu * 1e6 / calls if calls else None,
            "checksum": checksum,
        }
    except Exception as err:  # reported, not raised: the orchestrator prints the exact error
        return empty_result(spec, mode, error=f"{type(err).__name__}: {err}")
    finally:
        for c in conns:
            try:
                await asyncio.wait_for(c.close(), 5)
            except Exception:
                c.terminate()


def emit(tag, value):
    sys.stdout.write(f"@@{tag} {json.dumps(value)}\n")
    sys.stdout.flush()


async def serve(spec):
    for mode in spec["modes"]:
        emit("RESULT", await run_mode(spec, mode))
    emit("DONE", {})


async def main():
    loop = "uvloop " + uvloop.__version__ if uvloop else "asyncio"
    emit("INFO", {"version": f"asyncpg {asyncpg.__version__} (Python {sys.version.split()[0]}, {loop})"})
    if len(sys.argv) > 1:
        await serve(json.loads(sys.argv[1]))
        return
    # Serve the orchestrator: one spec per line until stdin closes. Reading blocks the loop, which is idle
    # between trials anyway.
    for line in sys.stdin:
        if line.strip():
            await serve(json.loads(line))


if __name__ == "__main__":
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main())
