export { requireDaemon, assertDaemonWorkspace, createDaemonToken, listDaemonTokens, revokeDaemonToken, idParam, DAEMON_TOKEN_PREFIX, type DaemonPrincipal } from "./auth";
export {
  registerRuntimes,
  heartbeatRuntimes,
  deregisterRuntimes,
  markStaleRuntimesOffline,
  listRuntimes,
  getRuntime,
  runtimeResponse,
  type Runtime,
  type RegisterInput,
} from "./registry";
export { createRuntimeRequest, getRuntimeRequest, claimPendingRequests, reportRequestResult } from "./requests";
