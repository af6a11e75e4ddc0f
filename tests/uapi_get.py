#!/usr/bin/env python3
"""Prints a WireGuard UAPI socket's answer to get=1 (the cross-platform userspace protocol):
`uapi_get.py SOCKET`. Exit status 1 when the answer does not end in errno=0."""
import socket
import sys

with socket.socket(socket.AF_UNIX) as uapi:
    uapi.settimeout(5)
    uapi.connect(sys.argv[1])
    uapi.sendall(b"get=1\n\n")
    reply = b""
    while not reply.endswith(b"\n\n"):
        chunk = uapi.recv(65536)
        if not chunk:
            break
        reply += chunk
sys.stdout.write(reply.decode())
sys.exit(0 if reply.endswith(b"errno=0\n\n") else 1)
