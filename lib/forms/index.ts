export * from "./feedback";
export * from "./contact-sales";
