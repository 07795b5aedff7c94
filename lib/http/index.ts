export * from "./errors";
export * from "./body";
export * from "./request";
export * from "./route";
export * from "./text";
