// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { editing } from "./use-poll";

afterEach(() => {
  document.body.innerHTML = "";
});

describe("editing (when a live refresh must wait)", () => {
  it("is false on a page as rendered, filters included", () => {
    document.body.innerHTML = `<form><input name="q" value="bug"><select><option>a</option><option>b</option></select>
      <input type="checkbox" checked><input type="hidden" value="x"><textarea>draft from the server</textarea></form>`;
    expect(editing(document)).toBe(false);
  });

  it("is true while the focused field holds text, and while a typed draft waits unsent", () => {
    document.body.innerHTML = `<textarea id="c"></textarea><button id="b">Send</button>`;
    const box = document.getElementById("c") as HTMLTextAreaElement;
    box.focus();
    expect(editing(document)).toBe(false); // an empty box waiting for a reply: the reply must still arrive
    box.value = "half a comment";
    expect(editing(document)).toBe(true);
    (document.getElementById("b") as HTMLButtonElement).focus();
    expect(editing(document)).toBe(true);
    box.value = "";
    expect(editing(document)).toBe(false);
  });

  it("counts a toggled checkbox as unsaved input", () => {
    document.body.innerHTML = `<input type="checkbox" id="x">`;
    (document.getElementById("x") as HTMLInputElement).checked = true;
    expect(editing(document)).toBe(true);
  });
});
