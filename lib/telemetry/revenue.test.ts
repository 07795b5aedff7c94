import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { recordRevenue, registry, resetMetricsForTests } from "./metrics";

const revenue = async () =>
  Object.fromEntries((await registry().getSingleMetric("tandem_business_revenue_cents_total")!.get()).values.map((v) => [v.labels.currency, v.value]));

afterEach(() => {
  delete process.env.REVENUE_CURRENCIES;
  resetConfigForTests();
});

describe("recordRevenue", () => {
  it("keeps configured currencies and folds the rest into other", async () => {
    process.env.REVENUE_CURRENCIES = "usd,jpy";
    resetConfigForTests();
    resetMetricsForTests();
    recordRevenue(1000, "USD");
    recordRevenue(500, "jpy");
    recordRevenue(700, "eur");
    recordRevenue(300, "<script>");
    recordRevenue(-5, "usd");
    recordRevenue(1.5, "usd");
    expect(await revenue()).toEqual({ usd: 1000, jpy: 500, other: 1000 });
  });
});
