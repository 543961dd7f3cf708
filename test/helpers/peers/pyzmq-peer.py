#!/usr/bin/python3
"""libzmq test peer on Debian's python3-zmq. Protocol: see README.md in this directory."""
import argparse
import json
import os
import sys
import time
import zlib

import zmq

TYPES = {n: getattr(zmq, n) for n in ("DEALER", "ROUTER", "REQ", "REP", "PUB", "SUB", "PULL", "PUSH")}


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--type", required=True, choices=sorted(TYPES))
    p.add_argument("--bind", action="append", default=[])
    p.add_argument("--connect", action="append", default=[])
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--routing-id")
    p.add_argument("--subscribe", action="append", default=[])
    p.add_argument("--heartbeat")
    p.add_argument("--max-msg-size", type=int)
    p.add_argument("--echo", action="store_true")
    p.add_argument("--monitor", action="store_true")
    return p.parse_args()


def make_frame(spec):
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    if "utf8" in spec:
        return spec["utf8"].encode()
    n, seed = spec["size"], spec.get("seed", 0)
    block = bytes((seed + i) & 0xFF for i in range(256))
    return (block * (n // 256 + 1))[:n]


def report_frame(b):
    r = {"len": len(b), "crc": zlib.crc32(b)}
    if len(b) <= 512:
        r["hex"] = b.hex()
    return r


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def make_sockets(ctx, a):
    socks = []
    for i in range(a.count):
        s = ctx.socket(TYPES[a.type])
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.SNDTIMEO, 20000)
        if a.routing_id is not None:
            rid = a.routing_id if a.count == 1 else f"{a.routing_id}{i}"
            s.setsockopt(zmq.ROUTING_ID, rid.encode())
        if a.heartbeat:
            ivl, timeout, ttl = (int(x) for x in a.heartbeat.split(","))
            s.setsockopt(zmq.HEARTBEAT_IVL, ivl)
            s.setsockopt(zmq.HEARTBEAT_TIMEOUT, timeout)
            s.setsockopt(zmq.HEARTBEAT_TTL, ttl)
        if a.max_msg_size is not None:
            s.setsockopt(zmq.MAXMSGSIZE, a.max_msg_size)
        if a.type == "SUB":
            for prefix in a.subscribe:
                s.setsockopt(zmq.SUBSCRIBE, bytes.fromhex(prefix))
        for ep in a.bind:
            s.bind(ep)
        for ep in a.connect:
            s.connect(ep)
        socks.append(s)
    return socks


def pick(socks, idx):
    return socks if idx == -1 else [socks[idx]]


def recv_one(socks, timeout_ms):
    poller = zmq.Poller()
    for s in socks:
        poller.register(s, zmq.POLLIN)
    ready = dict(poller.poll(timeout_ms))
    for i, s in enumerate(socks):
        if ready.get(s):
            return i, s.recv_multipart()
    return None, None


MONITORS = []
EVENT_NAMES = {getattr(zmq, n): n[6:].lower() for n in dir(zmq) if n.startswith("EVENT_") and n not in ("EVENT_ALL",)}


def drain_events():
    counts = {}
    for m in MONITORS:
        while m.poll(0):
            frames = m.recv_multipart()
            event = int.from_bytes(frames[0][:2], "little")
            name = EVENT_NAMES.get(event, str(event))
            counts[name] = counts.get(name, 0) + 1
    return counts


def run_command(socks, cmd):
    op = cmd["op"]
    if op == "events":
        for k, v in drain_events().items():
            EVENT_COUNTS[k] = EVENT_COUNTS.get(k, 0) + v
        return {"events": EVENT_COUNTS}
    targets = pick(socks, cmd.get("sock", 0))
    if op == "send":
        frames = [make_frame(f) for f in cmd["frames"]]
        for s in targets:
            s.send_multipart(frames)
        return {"ok": True}
    if op == "send_seq":
        prefix = [make_frame(f) for f in cmd.get("prefix", [])]
        start = cmd.get("start", 0)
        for k in range(cmd["n"]):
            for s in targets:
                s.send_multipart(prefix + [str(start + k).encode()])
        return {"ok": True, "sent": cmd["n"]}
    if op == "recv":
        _, msg = recv_one(targets, cmd.get("timeout", 10000))
        if msg is None:
            return {"error": "timeout"}
        return {"frames": [report_frame(f) for f in msg]}
    if op == "recv_count":
        deadline = time.monotonic() + cmd.get("timeout", 10000) / 1000.0
        count, last, per = 0, None, [0] * len(targets)
        while count < cmd["n"]:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                break
            i, msg = recv_one(targets, left)
            if msg is None:
                break
            count += 1
            per[i] += 1
            last = msg
        return {"count": count, "socks": per, "last": [report_frame(f) for f in last] if last else None}
    if op == "quit":
        return {"ok": True}
    return {"error": f"unknown op {op}"}


EVENT_COUNTS = {}


def main():
    a = parse_args()
    ctx = zmq.Context()
    socks = make_sockets(ctx, a)
    if a.monitor:
        MONITORS.extend(s.get_monitor_socket() for s in socks)
    endpoints = [s.getsockopt_string(zmq.LAST_ENDPOINT) for s in socks]
    sys.stdout.write("READY " + json.dumps({"endpoints": endpoints}) + "\n")
    sys.stdout.flush()
    poller = zmq.Poller()
    stdin_fd = sys.stdin.fileno()
    poller.register(stdin_fd, zmq.POLLIN)
    if a.echo:
        for s in socks:
            poller.register(s, zmq.POLLIN)
    buf = b""
    while True:
        for item, _ in poller.poll():
            if item == stdin_fd:
                chunk = os.read(stdin_fd, 65536)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if not line.strip():
                        continue
                    cmd = json.loads(line)
                    try:
                        out(run_command(socks, cmd))
                    except zmq.Again:
                        out({"error": "send timeout"})
                    except zmq.ZMQError as e:
                        out({"error": str(e)})
                    if cmd["op"] == "quit":
                        return
            else:
                while item.poll(0, zmq.POLLIN):
                    item.send_multipart(item.recv_multipart())


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    os._exit(0)
