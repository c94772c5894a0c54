# The local kubelet's per-Pod network holder (the "pause" process of the Pod's sandbox) and its
# forwarder of host ports: it runs in the Pod's network namespace for as long as the Pod lives, and
# for every "listen PORT SOCKET" line on stdin it listens on 127.0.0.1:PORT there and relays each
# connection to the Unix socket SOCKET, which the kubelet serves from the host's network (a Pod's
# 127.0.0.1 is its own loopback). It answers "ok PORT" or "error PORT REASON" per line, and exits
# when stdin closes (the kubelet closed or died).
import os
import socket
import sys
import threading


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def relay(client, path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(path)
    except OSError:
        client.close()
        upstream.close()
        return
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def serve(listener, path):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=relay, args=(client, path), daemon=True).start()


def main():
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3 or parts[0] != "listen":
            continue
        port, path = parts[1], parts[2]
        try:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", int(port)))
            listener.listen(128)
        except OSError as e:
            print("error", port, str(e).replace("\n", " "), flush=True)
            continue
        threading.Thread(target=serve, args=(listener, path), daemon=True).start()
        print("ok", port, flush=True)
    os._exit(0)


main()
