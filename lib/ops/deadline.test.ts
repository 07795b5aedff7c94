import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { deadlineSignal, withDeadline } from "./deadline";

const timeout = () => new Error("deadline");

describe("withDeadline", () => {
  it("settles like the promise when it is in time, rejects when it is not", async () => {
    await expect(withDeadline(Promise.resolve(7), 50, timeout)).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error("boom")), 50, timeout)).rejects.toThrow("boom");
    const started = performance.now();
    await expect(withDeadline(new Promise(() => {}), 50, timeout)).rejects.toThrow("deadline");
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("an answer that arrived while the event loop was busy past the deadline still wins", async () => {
    let peer: net.Socket | undefined;
    const server = net.createServer((s) => (peer = s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const socket = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    while (!peer) await new Promise((r) => setTimeout(r, 5));
    try {
      const answer = new Promise<string>((resolve) => socket.once("data", (d) => resolve(String(d))));
      const guarded = withDeadline(answer, 50, timeout);
      peer.write("pong"); // lands in the client's socket buffer at once (loopback)
      const until = performance.now() + 300;
      while (performance.now() < until); // a busy event loop: the timer is overdue before the socket is read
      await expect(guarded).resolves.toBe("pong");
    } finally {
      socket.destroy();
      server.close();
    }
  });
});

describe("deadlineSignal", () => {
  it("aborts a request that gets no answer in time", async () => {
    const server = http.createServer(() => {}); // never answers
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const deadline = deadlineSignal(50);
    try {
      const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
      await expect(fetch(url, { signal: deadline.signal })).rejects.toThrow(/no answer within 50 ms/);
    } finally {
      deadline.clear();
      server.closeAllConnections();
      server.close();
    }
  });

  it("an answer that arrived while the event loop was busy past the deadline is read, not cut", async () => {
    const server = http.createServer((_req, res) => {
      res.end("ok");
      const until = performance.now() + 300;
      while (performance.now() < until); // answered, then busy: the timer is overdue before the socket is read
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const deadline = deadlineSignal(50);
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, { signal: deadline.signal });
      expect(res.status).toBe(200);
    } finally {
      deadline.clear();
      server.closeAllConnections();
      server.close();
    }
  });
});
