export { enqueueTask, moveQueuedTasks, type Task, type TaskSource } from "./enqueue";
export { afterTaskEnqueued } from "./events";
export { taskEventArgs } from "./context";
export {
  claimTask,
  startTask,
  addTaskMessages,
  listTaskMessages,
  completeTask,
  failTask,
  cancelTasksForIssue,
  cancelTasksForAgent,
  cancelRunOnlyTasks,
  afterTasksCancelled,
  reportUsage,
  listIssueTasks,
  latestChatTask,
  taskResponse,
  failureReasonOf,
  willRetry,
  type UsageRow,
} from "./lifecycle";
export { failTasksOfOfflineRuntimes, expireQueuedTasks, expireLeases, SWEEP_THRESHOLDS } from "./sweep";
export { startSweepers, stopSweepers, runSweepsOnce } from "./sweepers";
export { taskWaitReason, type WaitReason } from "./waiting";
