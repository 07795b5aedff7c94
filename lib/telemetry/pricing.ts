/**
 * LLM pricing (reference §2.1): USD per 1M tokens. The `provider` label of priced usage is the vendor.
 * Aliases: an ordered regex list over the lower-cased, trimmed model string; the first match wins.
 */
export type Price = { input: number; cache_read: number; cache_write: number; output: number };
export type PricedModel = { vendor: string; model: string; price: Price };

const p = (input: number, cache_read: number, cache_write: number, output: number): Price => ({ input, cache_read, cache_write, output });

export const PRICING: Record<string, Price> = {
  "openai:gpt-5.5": p(5, 0.5, 0.5, 30),
  "openai:gpt-5.4": p(2.5, 0.25, 0.25, 15),
  "openai:gpt-5.4-mini": p(0.75, 0.075, 0.075, 4.5),
  "openai:gpt-5.3-codex": p(1.75, 0.175, 0.175, 14),
  "openai:gpt-5.2-codex": p(1.75, 0.175, 0.175, 14),
  "anthropic:claude-opus-4.7": p(5, 0.5, 6.25, 25),
  "anthropic:claude-opus-4.6": p(5, 0.5, 6.25, 25),
  "anthropic:claude-opus-4.5": p(5, 0.5, 6.25, 25),
  "anthropic:claude-sonnet-4.6": p(3, 0.3, 3.75, 15),
  "anthropic:claude-sonnet-4.5": p(3, 0.3, 3.75, 15),
  "anthropic:claude-haiku-4.5": p(1, 0.1, 1.25, 5),
  "deepseek:v4-pro": p(1.74, 0.0145, 1.74, 3.48),
  "deepseek:v4-flash": p(0.56, 0.0112, 0.56, 1.12),
  "minimax:m2.7": p(0.3, 0.06, 0.375, 1.2),
  "minimax:m2.7-highspeed": p(0.6, 0.06, 0.375, 2.4),
  "google:gemini-3-flash": p(0.5, 0.05, 0.5, 3),
  "google:gemini-3.1-pro": p(2, 0.2, 2, 12),
  "google:gemini-2.5-pro": p(1.25, 0.31, 1.25, 10),
  "google:gemini-2.5-flash": p(0.3, 0.03, 0.3, 2.5),
};

// Order matters: more specific patterns (mini, highspeed, codex) come before the general ones.
const ALIASES: [RegExp, string][] = [
  [/(^|[/:])gpt-5[.-]5($|[^0-9])/, "openai:gpt-5.5"],
  [/(^|[/:])gpt-5[.-]4-mini/, "openai:gpt-5.4-mini"],
  [/(^|[/:])gpt-5[.-]4(-2026-03-05|-xhigh)?($|[^0-9-])/, "openai:gpt-5.4"],
  [/(^|[/:])gpt-5[.-]3-codex/, "openai:gpt-5.3-codex"],
  [/(^|[/:])gpt-5[.-]2-codex/, "openai:gpt-5.2-codex"],
  [/claude-opus-4[-.]7|claude-4[-.]7-opus/, "anthropic:claude-opus-4.7"],
  [/claude-opus-4[-.]6|claude-4[-.]6-opus/, "anthropic:claude-opus-4.6"],
  [/claude-opus-4[-.]5|claude-4[-.]5-opus/, "anthropic:claude-opus-4.5"],
  [/claude-sonnet-4[-.]6|claude-4[-.]6-sonnet/, "anthropic:claude-sonnet-4.6"],
  [/claude-sonnet-4[-.]5|claude-4[-.]5-sonnet/, "anthropic:claude-sonnet-4.5"],
  [/claude-haiku-4[-.]5|claude-4[-.]5-haiku/, "anthropic:claude-haiku-4.5"],
  [/deepseek-v4-pro|deepseek[/:]v4-pro/, "deepseek:v4-pro"],
  [/deepseek-v4-flash|deepseek[/:]v4-flash|deepseek-chat|deepseek-reasoner/, "deepseek:v4-flash"],
  [/minimax-m2[.-]7-highspeed|(^|[/:])m2[.-]7-highspeed/, "minimax:m2.7-highspeed"],
  [/minimax-m2[.-]7|(^|[/:])m2[.-]7($|[^0-9])/, "minimax:m2.7"],
  [/gemini-3-flash/, "google:gemini-3-flash"],
  [/gemini-3[.-]1-pro/, "google:gemini-3.1-pro"],
  [/gemini-2[.-]5-pro/, "google:gemini-2.5-pro"],
  [/gemini-2[.-]5-flash/, "google:gemini-2.5-flash"],
];

/** Resolves a raw model string to its priced entry, or undefined when the model is not priced. */
export function priceModel(raw: string): PricedModel | undefined {
  const s = raw.trim().toLowerCase().slice(0, 256);
  if (s === "") return undefined;
  for (const [re, key] of ALIASES) {
    if (re.test(s)) {
      const [vendor, model] = key.split(":") as [string, string];
      return { vendor, model, price: PRICING[key] };
    }
  }
  return undefined;
}

/** The USD cost of some tokens of a model; undefined when the model has no price. */
export function usageCostUsd(model: string, tokens: Partial<Record<keyof Price, number>>): number | undefined {
  const priced = priceModel(model);
  if (!priced) return undefined;
  let usd = 0;
  for (const [type, n] of Object.entries(tokens) as [keyof Price, number][]) if (n > 0) usd += (n * priced.price[type]) / 1e6;
  return usd;
}
