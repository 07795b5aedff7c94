// @vitest-environment happy-dom
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FormError, StatusMessage } from "@/components/ui/FormMessage";
import { ApiError } from "./api";
import { useApiAction } from "./use-api-action";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Action = ReturnType<typeof useApiAction>;

describe("useApiAction", () => {
  let root: Root;
  let container: HTMLElement;
  let action: Action;

  function Probe() {
    action = useApiAction();
    return (
      <>
        <button disabled={action.busy}>go</button>
        <FormError error={action.error} />
        <StatusMessage message={action.message} />
      </>
    );
  }

  beforeEach(async () => {
    container = document.createElement("div");
    root = createRoot(container);
    await act(async () => root.render(<Probe />));
  });
  afterEach(() => act(() => root.unmount()));

  const alert = () => container.querySelector('[role="alert"]')?.textContent ?? null;
  const status = () => container.querySelector('[role="status"]');
  const disabled = () => container.querySelector("button")!.disabled;

  it("is busy while the action runs and shows nothing until it settles", async () => {
    let finish!: () => void;
    let done!: Promise<boolean>;
    await act(async () => {
      done = action.run("fallback", () => new Promise<void>((r) => (finish = r)));
    });
    expect(disabled()).toBe(true);
    expect(alert()).toBeNull();
    await act(async () => {
      finish();
      expect(await done).toBe(true);
    });
    expect(disabled()).toBe(false);
    expect(status()).toBeNull();
  });

  it("shows the server's message for an ApiError and the fallback for anything else", async () => {
    await act(async () => {
      expect(await action.run("Could not save", () => Promise.reject(new ApiError(409, "name taken")))).toBe(false);
    });
    expect(alert()).toBe("Name taken"); // FormError starts the phrase as a sentence
    expect(status()?.className).toBe("error");
    await act(async () => void (await action.run("Could not save", () => Promise.reject(new TypeError("fetch failed")))));
    expect(alert()).toBe("Could not save");
    expect(disabled()).toBe(false);
  });

  it("turns a returned string into the success message and clears the last error", async () => {
    await act(async () => void (await action.run("x", () => Promise.reject(new Error("boom")))));
    await act(async () => void (await action.run("x", async () => "Saved")));
    expect(alert()).toBeNull();
    expect(status()?.textContent).toBe("Saved");
    expect(status()?.className).toBe("ok");
    await act(async () => action.reset());
    expect(status()).toBeNull();
  });

  it("stays busy after success with keepBusy (the page is navigating away), but not after a failure", async () => {
    await act(async () => void (await action.run("x", async () => {}, { keepBusy: true })));
    expect(disabled()).toBe(true);
    await act(async () => void (await action.run("x", () => Promise.reject(new Error("boom")), { keepBusy: true })));
    expect(disabled()).toBe(false);
  });
});
