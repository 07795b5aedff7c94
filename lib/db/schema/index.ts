export * from "./auth";
export * from "./workspaces";
export * from "./forms";
export * from "./issues";
export * from "./agents";
export * from "./autopilots";
export * from "./chat";
export * from "./runtimes";
