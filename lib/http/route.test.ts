import { describe, expect, it } from "vitest";
import { notFound } from "./errors";
import { readText } from "./body";
import { json, route } from "./route";

const req = () => new Request("http://localhost/api/x");

describe("route()", () => {
  it("answers are no-store unless the handler chose a cache policy", async () => {
    expect((await route("/api/x", () => json({ ok: true }))(req())).headers.get("cache-control")).toBe("no-store");
    expect((await route("/api/x", () => json({}, 200, { "Cache-Control": "public, max-age=60" }))(req())).headers.get("cache-control")).toBe(
      "public, max-age=60",
    );
  });

  it("errors and immutable responses are no-store too", async () => {
    const err = await route("/api/x", () => {
      throw notFound();
    })(req());
    expect(err.status).toBe(404);
    expect(err.headers.get("cache-control")).toBe("no-store");
    const redirect = await route("/api/x", () => Response.redirect("http://localhost/elsewhere", 302))(req());
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("http://localhost/elsewhere");
    expect(redirect.headers.get("cache-control")).toBe("no-store");
  });

  it("a catch-all's segments are checked like any path param: NUL is a 400 naming the parameter", async () => {
    let ran = false;
    const res = await route("/api/x/[...path]", () => ((ran = true), json({})))(req(), { params: Promise.resolve({ path: ["nodes", "a\u0000b"] }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/path/);
    expect(ran).toBe(false);
  });

  it("a body the client stopped sending half-way is a 400, not a 500 in the metrics and the error log", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"title":"hal'));
        c.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      },
    });
    const cut = new Request("http://localhost/api/x", { method: "POST", body, duplex: "half" } as RequestInit);
    const res = await route("/api/x", async (r) => json({ text: await readText(r) }))(cut);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("the request body was cut off before its end");
  });
});
