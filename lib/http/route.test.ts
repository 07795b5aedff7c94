import { describe, expect, it } from "vitest";
import { notFound } from "./errors";
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
});
