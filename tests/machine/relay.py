"""One guest connection to a host port: QEMU's ``guestfwd=...-cmd:`` runs this for each TCP
connection the guest opens, with the connection on standard input and output (a ``tcp:``
target would be a single connection made once, at QEMU's start)."""

from __future__ import annotations

import os
import select
import socket
import sys


def main(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.settimeout(None)
        ends = {0: conn.fileno(), conn.fileno(): 1}
        open_ends = [0, conn.fileno()]
        while open_ends:
            ready, _, _ = select.select(open_ends, [], [])
            for fd in ready:
                data = os.read(fd, 65536)
                if not data:
                    open_ends.remove(fd)
                    if fd == 0:
                        conn.shutdown(socket.SHUT_WR)
                    else:
                        return  # the host closed: the guest's connection ends with it
                    continue
                out = ends[fd]
                if out == 1:
                    os.write(1, data)
                else:
                    conn.sendall(data)


if __name__ == "__main__":
    main(int(sys.argv[1]))
