import { describe, expect, it } from "vitest";
import { signState, STATE_TTL_SECONDS, verifyState } from "./state";

const ws = "6f1c2a54-7d3e-4b8a-9c0d-1e2f3a4b5c6d";
const user = "0b6f3c1e-2d4a-4e8b-9f10-112233445566";

describe("install state", () => {
  it("round-trips; tampering, another secret or expiry refuse it", () => {
    const s = signState("secret-one", ws, user);
    expect(verifyState("secret-one", s)).toMatchObject({ workspaceId: ws, issuerId: user });
    expect(verifyState("secret-two", s)).toBeNull();
    const [, , exp, nonce, sig] = s.split(".");
    expect(verifyState("secret-one", `${"0".repeat(8)}${ws.slice(8)}.${user}.${exp}.${nonce}.${sig}`)).toBeNull();
    expect(verifyState("secret-one", `${ws}.${"1".repeat(8)}${user.slice(8)}.${exp}.${nonce}.${sig}`)).toBeNull(); // another issuer
    expect(verifyState("secret-one", `${ws}.${user}.${Number(exp) + 999}.${nonce}.${sig}`)).toBeNull();
    expect(verifyState("secret-one", s, Date.now() + (STATE_TTL_SECONDS + 5) * 1000)).toBeNull();
    expect(verifyState("secret-one", "garbage")).toBeNull();
  });
});
